package io.plakar.pve.proxmox;

import java.util.Optional;

/** Compression of a vzdump archive: its file-name suffix and its magic bytes. */
public enum Compression {
    NONE(""),
    GZIP(".gz"),
    LZO(".lzo"),
    ZSTD(".zst"),
    BZIP2(".bz2");

    private static final byte[] GZIP_MAGIC = {0x1f, (byte) 0x8b, 0x08};
    private static final byte[] ZSTD_MAGIC = {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd};
    private static final byte[] LZOP_MAGIC = {(byte) 0x89, 'L', 'Z', 'O', 0, '\r', '\n', 0x1a, '\n'};
    private static final byte[] BZIP2_MAGIC = {'B', 'Z', 'h'};

    /** Bytes needed to tell every compression apart (the lzop magic is the longest). */
    public static final int SNIFF_BYTES = LZOP_MAGIC.length;

    private final String suffix;

    Compression(String suffix) {
        this.suffix = suffix;
    }

    public String suffix() {
        return suffix;
    }

    /**
     * The compression whose magic starts {@code head}, or empty when no compressor's magic is
     * there (the stream is then uncompressed, or not an archive at all: the caller decides).
     */
    public static Optional<Compression> fromMagic(byte[] head, int length) {
        if (startsWith(head, length, ZSTD_MAGIC)) {
            return Optional.of(ZSTD);
        }
        if (startsWith(head, length, GZIP_MAGIC)) {
            return Optional.of(GZIP);
        }
        if (startsWith(head, length, LZOP_MAGIC)) {
            return Optional.of(LZO);
        }
        if (startsWith(head, length, BZIP2_MAGIC) && length > 3 && head[3] >= '1' && head[3] <= '9') {
            return Optional.of(BZIP2);
        }
        return Optional.empty();
    }

    public static Optional<Compression> fromSuffix(String suffix) {
        for (Compression c : values()) {
            if (c.suffix.equals(suffix)) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }

    private static boolean startsWith(byte[] head, int length, byte[] magic) {
        if (length < magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if (head[i] != magic[i]) {
                return false;
            }
        }
        return true;
    }
}
