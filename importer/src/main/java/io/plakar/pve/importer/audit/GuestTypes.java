package io.plakar.pve.importer.audit;

import java.util.Locale;

/**
 * Guest type in the audit's vocabulary ({@code vm}, {@code ct}, {@code host},
 * {@code unknown}): from the PBS backup-type first, then what PVE says (content subtype or
 * cluster inventory), then file-name heuristics.
 */
public final class GuestTypes {
    private GuestTypes() {
    }

    public static String resolve(String pbsBackupType, String pveType, String fileName) {
        String t = fromPbs(pbsBackupType);
        if (t != null) {
            return t;
        }
        t = fromPve(pveType);
        if (t != null) {
            return t;
        }
        t = fromFileName(fileName);
        return t != null ? t : "unknown";
    }

    static String fromPbs(String s) {
        if (s == null) {
            return null;
        }
        return switch (s) {
            case "vm", "ct", "host" -> s;
            default -> null;
        };
    }

    /** PVE subtypes / resource types: qemu → vm, lxc/openvz → ct. */
    static String fromPve(String s) {
        if (s == null) {
            return null;
        }
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "qemu", "pbs-vm", "vm" -> "vm";
            case "lxc", "openvz", "pbs-ct", "ct" -> "ct";
            default -> null;
        };
    }

    /** {@code vzdump-qemu-…}, {@code vzdump-lxc-…}, {@code vzdump-openvz-…}, PBS archive names. */
    static String fromFileName(String name) {
        if (name == null) {
            return null;
        }
        String n = name.toLowerCase(Locale.ROOT);
        int slash = n.lastIndexOf('/');
        String base = slash >= 0 ? n.substring(slash + 1) : n;
        if (base.startsWith("vzdump-qemu-") || n.contains("qemu-server.conf") || base.endsWith(".vma")
                || base.contains(".vma.")) {
            return "vm";
        }
        if (base.startsWith("vzdump-lxc-") || base.startsWith("vzdump-openvz-") || n.contains("pct.conf")) {
            return "ct";
        }
        if (n.contains("backup/vm/")) {
            return "vm";
        }
        if (n.contains("backup/ct/")) {
            return "ct";
        }
        return null;
    }
}
