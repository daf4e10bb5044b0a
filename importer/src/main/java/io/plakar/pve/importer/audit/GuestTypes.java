package io.plakar.pve.importer.audit;

import io.plakar.pve.proxmox.DumpName;
import io.plakar.pve.proxmox.GuestType;

import java.util.Locale;

/**
 * Guest type in the audit's vocabulary ({@code vm}, {@code ct}, {@code host},
 * {@code unknown}): from the PBS backup-type first, then what PVE says (content subtype or
 * cluster inventory), then the archive name ({@link DumpName} for vzdump files, the config
 * blob PBS stores with every guest backup).
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

    static String of(GuestType t) {
        return t == GuestType.QEMU ? "vm" : "ct";
    }

    /**
     * A vzdump archive name (with or without a volume prefix such as {@code local:backup/}),
     * or a PBS archive name: {@code qemu-server.conf.blob} belongs to a VM, {@code pct.conf.blob}
     * to a container.
     */
    static String fromFileName(String name) {
        if (name == null) {
            return null;
        }
        String base = name.substring(name.lastIndexOf('/') + 1);
        var dump = DumpName.parse(base);
        if (dump.isPresent()) {
            return of(dump.get().type());
        }
        return switch (base) {
            case "qemu-server.conf.blob" -> "vm";
            case "pct.conf.blob" -> "ct";
            default -> null;
        };
    }
}
