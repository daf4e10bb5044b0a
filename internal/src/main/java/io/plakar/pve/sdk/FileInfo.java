package io.plakar.pve.sdk;

import java.time.Instant;
import java.util.Objects;

/** Metadata of one snapshot entry, as Plakar stores it. {@code size == -1} means unknown. */
public record FileInfo(String name, long size, FileMode mode, Instant modTime,
                       long dev, long ino, long uid, long gid, int nlink,
                       String username, String groupname, int flags) {

    public static final long UNKNOWN_SIZE = -1;

    public FileInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(modTime, "modTime");
        username = username == null ? "" : username;
        groupname = groupname == null ? "" : groupname;
    }

    public static FileInfo regular(String name, long size, int perm, Instant modTime) {
        return new FileInfo(name, size, FileMode.regular(perm), modTime, 0, 0, 0, 0, 1, "", "", 0);
    }

    public static FileInfo directory(String name, int perm, Instant modTime) {
        return new FileInfo(name, 0, FileMode.directory(perm), modTime, 0, 0, 0, 0, 1, "", "", 0);
    }

    public FileInfo withSize(long newSize) {
        return new FileInfo(name, newSize, mode, modTime, dev, ino, uid, gid, nlink, username, groupname, flags);
    }
}
