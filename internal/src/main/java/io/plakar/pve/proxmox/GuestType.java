package io.plakar.pve.proxmox;

/** The two kinds of Proxmox guest, with the archive format vzdump writes for each. */
public enum GuestType {
    QEMU("qemu", "vma"),
    LXC("lxc", "tar");

    private final String id;
    private final String archiveFormat;

    GuestType(String id, String archiveFormat) {
        this.id = id;
        this.archiveFormat = archiveFormat;
    }

    /** As Proxmox spells it: {@code qemu} or {@code lxc}. */
    public String id() {
        return id;
    }

    /** {@code vma} or {@code tar}. */
    public String archiveFormat() {
        return archiveFormat;
    }

    public static GuestType fromId(String s) {
        return switch (s) {
            case "qemu" -> QEMU;
            case "lxc" -> LXC;
            default -> throw new IllegalArgumentException("unknown guest type '" + s + "'");
        };
    }
}
