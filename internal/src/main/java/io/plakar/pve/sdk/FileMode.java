package io.plakar.pve.sdk;

/**
 * A Go {@code io/fs.FileMode}: permission bits in the low 9 bits, the file type in the
 * high bits. Plakar decides whether to open a record from these bits, so they must be
 * exact (a unix st_mode would be misread).
 */
public record FileMode(int bits) {
    public static final int DIR = 1 << 31;
    public static final int APPEND = 1 << 30;
    public static final int EXCLUSIVE = 1 << 29;
    public static final int TEMPORARY = 1 << 28;
    public static final int SYMLINK = 1 << 27;
    public static final int DEVICE = 1 << 26;
    public static final int NAMED_PIPE = 1 << 25;
    public static final int SOCKET = 1 << 24;
    public static final int SETUID = 1 << 23;
    public static final int SETGID = 1 << 22;
    public static final int CHAR_DEVICE = 1 << 21;
    public static final int STICKY = 1 << 20;
    public static final int IRREGULAR = 1 << 19;

    /** Every bit that says "this is not a regular file". */
    public static final int TYPE_MASK = DIR | SYMLINK | NAMED_PIPE | SOCKET | DEVICE | CHAR_DEVICE | IRREGULAR;
    public static final int PERM_MASK = 0777;

    public static FileMode regular(int perm) {
        return new FileMode(perm & PERM_MASK);
    }

    public static FileMode directory(int perm) {
        return new FileMode(DIR | (perm & PERM_MASK));
    }

    public boolean isRegular() {
        return (bits & TYPE_MASK) == 0;
    }

    public boolean isDirectory() {
        return (bits & DIR) != 0;
    }

    public int permissions() {
        return bits & PERM_MASK;
    }

    /** The unsigned 32-bit value carried on the wire. */
    public int wire() {
        return bits;
    }

    @Override
    public String toString() {
        return String.format("FileMode[%s%04o]", isDirectory() ? "d" : isRegular() ? "-" : "?", permissions());
    }
}
