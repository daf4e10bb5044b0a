package io.plakar.pve.importer.backup;

import io.plakar.pve.proxmox.Compression;
import io.plakar.pve.proxmox.GuestType;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Names an archive from its first bytes: compressed streams by magic (gzip, zstd, lzop),
 * uncompressed ones by their format (VMA magic for qemu, {@code ustar} at offset 257 for a
 * container tar). Anything else is an error, never a guess: a wrong suffix makes the
 * restore pick the wrong decompressor.
 */
public final class ArchiveSniffer {
    /** Enough to see the tar magic at 257..262 (ustar magic at offset 257). */
    public static final int HEAD_BYTES = 263;
    private static final byte[] VMA_MAGIC = {'V', 'M', 'A', 0};
    private static final byte[] USTAR = "ustar".getBytes(StandardCharsets.US_ASCII);

    private ArchiveSniffer() {
    }

    /** Reads up to {@code buf.length} bytes, fewer only at end of stream. */
    public static int readHead(InputStream in, byte[] buf) throws IOException {
        int n = 0;
        while (n < buf.length) {
            int r = in.read(buf, n, buf.length - n);
            if (r < 0) {
                break;
            }
            n += r;
        }
        return n;
    }

    /**
     * The compression of a {@code type} archive starting with {@code head[0..length)}.
     *
     * @throws IOException with a message for the user when the bytes are not a vzdump archive
     *                     of that type (or too short to tell)
     */
    public static Compression sniff(GuestType type, byte[] head, int length) throws IOException {
        Optional<Compression> c = Compression.fromMagic(head, length);
        if (c.isPresent()) {
            if (c.get() == Compression.BZIP2) {
                throw new IOException("the archive is bzip2-compressed, which vzdump never produces: "
                        + "refusing to guess what it is (first bytes " + hex(head, length) + ")");
            }
            return c.get();
        }
        if (type == GuestType.QEMU) {
            if (startsWith(head, length, 0, VMA_MAGIC)) {
                return Compression.NONE;
            }
            throw new IOException("the archive is neither a VMA stream (VMA\\0) nor gzip/zstd/lzop-compressed "
                    + "(first bytes " + hex(head, length) + ")");
        }
        if (startsWith(head, length, 257, USTAR)) {
            return Compression.NONE;
        }
        throw new IOException("the archive is neither a tar stream (ustar at offset 257) nor gzip/zstd/lzop-compressed"
                + (length < HEAD_BYTES ? " (it ended after " + length + " bytes)" : "")
                + " (first bytes " + hex(head, length) + ")");
    }

    private static boolean startsWith(byte[] b, int length, int off, byte[] magic) {
        if (length < off + magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if (b[off + i] != magic[i]) {
                return false;
            }
        }
        return true;
    }

    static String hex(byte[] b, int length) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(length, 8); i++) {
            sb.append(String.format("%02x", b[i] & 0xff));
        }
        return sb.length() == 0 ? "none" : sb.toString();
    }
}
