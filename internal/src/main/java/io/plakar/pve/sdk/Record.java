package io.plakar.pve.sdk;

import java.util.Objects;

/**
 * One snapshot entry. Either it carries {@link FileInfo} (a file or directory), or it
 * carries an error (this path failed; Plakar logs it and goes on). A regular file always
 * has content; nothing else ever does (Plakar decides to open from the mode bits).
 */
public record Record(String pathname, FileInfo fileInfo, String error, String target,
                     boolean xattr, String xattrName, int xattrType) {

    public Record {
        Objects.requireNonNull(pathname, "pathname");
        error = error == null ? "" : error;
        target = target == null ? "" : target;
        xattrName = xattrName == null ? "" : xattrName;
        if (error.isEmpty() && fileInfo == null && !xattr) {
            // Plakar aborts the whole backup on such a record: refuse it at the source.
            throw new IllegalArgumentException("record " + pathname + " has neither file info nor an error");
        }
    }

    public static Record file(String pathname, FileInfo info) {
        return new Record(pathname, info, "", "", false, "", 0);
    }

    public static Record failed(String pathname, String error) {
        if (error == null || error.isBlank()) {
            throw new IllegalArgumentException("a failed record needs an error message");
        }
        return new Record(pathname, null, error, "", false, "", 0);
    }

    public boolean hasError() {
        return !error.isEmpty();
    }

    /** True when the host will Open this record: a regular file (or xattr) without error. */
    public boolean hasReader() {
        if (hasError()) {
            return false;
        }
        return xattr || (fileInfo != null && fileInfo.mode().isRegular());
    }

    public boolean isDirectory() {
        return fileInfo != null && fileInfo.mode().isDirectory();
    }
}
