package io.plakar.pve.testkit.conformance;

import java.io.InputStream;
import java.util.Random;

/** A source that costs (almost) nothing to produce: one random 1 MiB block, repeated. For benchmarks. */
public final class RepeatingBlockStream extends InputStream {
    private static final byte[] BLOCK = new byte[1 << 20];

    static {
        new Random(42).nextBytes(BLOCK);
    }

    private final long length;
    private long pos;

    public RepeatingBlockStream(long length) {
        this.length = length;
    }

    @Override
    public int read() {
        if (pos >= length) {
            return -1;
        }
        return BLOCK[(int) (pos++ % BLOCK.length)] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) {
        if (pos >= length) {
            return -1;
        }
        int at = (int) (pos % BLOCK.length);
        int n = (int) Math.min(Math.min(len, BLOCK.length - at), length - pos);
        System.arraycopy(BLOCK, at, b, off, n);
        pos += n;
        return n;
    }
}
