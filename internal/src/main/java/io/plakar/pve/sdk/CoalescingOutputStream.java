package io.plakar.pve.sdk;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Gathers the transport's small writes (8 KiB okio segments, 9-byte frame headers) into one
 * write(2) of up to {@code size} bytes, sent on {@link #flush()}; writes of a full buffer or more
 * go straight through.
 *
 * <p>Unlike {@link java.io.BufferedOutputStream} nothing here takes a lock: grpc-okhttp writes and
 * flushes from one serializing executor at a time, and {@link #close()} must be able to close the
 * pipe from another thread while a write is blocked in it (a lock held by the blocked writer would
 * stall the shutdown). Bytes not flushed when the pipe is closed are dropped: the transport always
 * flushes what it wants delivered before closing, and after a close nothing can be delivered anyway.
 */
final class CoalescingOutputStream extends OutputStream {
    private final OutputStream out;
    private final byte[] buf;
    private int count;

    CoalescingOutputStream(OutputStream out, int size) {
        this.out = out;
        this.buf = new byte[size];
    }

    @Override
    public void write(int b) throws IOException {
        if (count == buf.length) {
            drain();
        }
        buf[count++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (len >= buf.length) {
            drain();
            out.write(b, off, len);
            return;
        }
        if (len > buf.length - count) {
            drain();
        }
        System.arraycopy(b, off, buf, count, len);
        count += len;
    }

    private void drain() throws IOException {
        if (count > 0) {
            int n = count;
            count = 0;
            out.write(buf, 0, n);
        }
    }

    @Override
    public void flush() throws IOException {
        drain();
        out.flush();
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
