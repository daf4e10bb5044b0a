package io.plakar.pve.testkit.conformance;

import java.io.IOException;
import java.io.InputStream;

/**
 * Deterministic bytes of a given length without holding them: byte i is a function of i,
 * so a reader can verify content it never stored. Optionally fails after N bytes, like a
 * source dying mid-stream.
 */
public class PatternStream extends InputStream {
    private final long length;
    private final long failAfter;
    private long pos;
    private volatile boolean closed;

    public PatternStream(long length, long failAfter) {
        this.length = length;
        this.failAfter = failAfter;
    }

    public static byte at(long i) {
        long x = i * 0x9E3779B97F4A7C15L;
        return (byte) (x >>> 56 ^ i);
    }

    @Override
    public int read() throws IOException {
        byte[] b = new byte[1];
        return read(b, 0, 1) < 0 ? -1 : b[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (closed) {
            throw new IOException("source closed");
        }
        if (pos >= failAfter) {
            throw new IOException("conformance source failed after " + pos + " bytes");
        }
        if (pos >= length) {
            return -1;
        }
        int n = (int) Math.min(len, Math.min(length - pos, failAfter - pos));
        for (int i = 0; i < n; i++) {
            b[off + i] = at(pos + i);
        }
        pos += n;
        return n;
    }

    @Override
    public void close() {
        closed = true;
    }

    public boolean isClosed() {
        return closed;
    }
}
