package io.plakar.pve.exporter;

import io.plakar.pve.proxmox.DumpName;
import io.plakar.pve.proxmox.GuestType;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Classifies snapshot paths. Accepted dumps: canonical vzdump names and {@code vzdump-v1-}
 * names anywhere, including the Go reference plugin layout
 * {@code /backup/<qemu|lxc>/<vmid>_<name>/vzdump-...} with its {@code <dump>_qemu.conf},
 * {@code <dump>_lxc.conf} and {@code <dump>_pool.conf} sidecars. Only the base name ever
 * reaches a command, and only after it was parsed into a {@link DumpName} and re-formatted:
 * no byte of a snapshot path is used to build a file name on the node.
 */
public final class SnapshotLayout {
    static final int MAX_PATH = 4096;
    static final int MAX_SEGMENT = 255;
    private static final Pattern GUEST_DIR = Pattern.compile("([1-9][0-9]{2,8})_[^/]*");
    private static final Pattern SIDECAR = Pattern.compile("(.+)_(pool|qemu|lxc)\\.conf");

    private SnapshotLayout() {
    }

    public static SnapshotEntry classify(String path, boolean directory) {
        String problem = unsafe(path);
        if (problem != null) {
            return new SnapshotEntry.Refused(printable(path), problem);
        }
        if (directory) {
            return new SnapshotEntry.Skip(path, "directory");
        }
        int slash = path.lastIndexOf('/');
        String dir = slash <= 0 ? "/" : path.substring(0, slash);
        String base = path.substring(slash + 1);
        if (base.isEmpty()) {
            return new SnapshotEntry.Skip(path, "not a file");
        }
        Optional<DumpName> name = DumpName.parse(base);
        if (name.isPresent()) {
            return dump(path, dir, base, name.get());
        }
        Matcher sc = SIDECAR.matcher(base);
        if (sc.matches() && DumpName.parse(sc.group(1)).isPresent()) {
            SnapshotEntry.Sidecar.Kind kind = switch (sc.group(2)) {
                case "pool" -> SnapshotEntry.Sidecar.Kind.POOL;
                case "qemu" -> SnapshotEntry.Sidecar.Kind.QEMU_CONF;
                default -> SnapshotEntry.Sidecar.Kind.LXC_CONF;
            };
            return new SnapshotEntry.Sidecar(path, dir, sc.group(1), kind);
        }
        if (base.startsWith("vzdump-")) {
            return new SnapshotEntry.Skip(path, "not a vzdump archive name Proxmox can restore "
                    + "(expected vzdump-<qemu|lxc>-<vmid>-<YYYY_MM_DD-hh_mm_ss>.<vma|tar>[.zst|.gz|.lzo|.bz2])");
        }
        return new SnapshotEntry.Skip(path, "not a vzdump archive");
    }

    /**
     * A dump inside a {@code <type>/<vmid>_<name>/} directory must agree with it: a
     * {@code /backup/qemu/101_web/vzdump-lxc-...} is a forged or corrupted snapshot.
     */
    private static SnapshotEntry dump(String path, String dir, String base, DumpName name) {
        String[] parts = dir.split("/");
        String parent = parts.length >= 1 ? parts[parts.length - 1] : "";
        String grand = parts.length >= 2 ? parts[parts.length - 2] : "";
        Matcher gd = GUEST_DIR.matcher(parent);
        boolean guestDir = gd.matches();
        boolean typeDir = grand.equals("qemu") || grand.equals("lxc") || grand.equals("openvz");
        if (guestDir && Integer.parseInt(gd.group(1)) != name.vmid()) {
            return new SnapshotEntry.Refused(path, "the dump name says guest " + name.vmid()
                    + " but it sits in the directory of guest " + gd.group(1) + "; refusing a snapshot that contradicts itself");
        }
        if (guestDir && typeDir) {
            GuestType dirType = grand.equals("qemu") ? GuestType.QEMU : GuestType.LXC;
            if (dirType != name.type()) {
                return new SnapshotEntry.Refused(path, "the dump name says " + name.type().id()
                        + " but it sits under " + grand + "/; refusing a snapshot that contradicts itself");
            }
        }
        return new SnapshotEntry.Dump(path, dir, base, name, guestDir && typeDir);
    }

    /** Null when the path is a sane absolute snapshot path, else why not. */
    static String unsafe(String path) {
        if (path == null || path.isEmpty()) {
            return "empty path";
        }
        if (path.length() > MAX_PATH) {
            return "path is too long (" + path.length() + " characters)";
        }
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                return c == 0 ? "path contains a NUL character" : "path contains a control character";
            }
        }
        if (!path.startsWith("/")) {
            return "path is not absolute";
        }
        if (path.contains("\\")) {
            return "path contains a backslash";
        }
        for (String seg : path.substring(1).split("/", -1)) {
            if (seg.equals("..") || seg.equals(".")) {
                return "path contains a '" + seg + "' component";
            }
            if (seg.length() > MAX_SEGMENT) {
                return "a path component is longer than " + MAX_SEGMENT + " characters";
            }
            if (seg.isEmpty() && !path.equals("/")) {
                if (!path.endsWith("/") || path.indexOf("//") >= 0) {
                    return "path contains an empty component";
                }
            }
        }
        return null;
    }

    /** The path for a message: control characters escaped, cut short. */
    static String printable(String path) {
        if (path == null) {
            return "(null)";
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < path.length() && sb.length() < 300; i++) {
            char c = path.charAt(i);
            sb.append(c < 0x20 || c == 0x7f ? String.format("\\x%02x", (int) c) : String.valueOf(c));
        }
        return path.length() > 300 ? sb + "…" : sb.toString();
    }
}
