package io.plakar.pve.runner;

import net.schmizz.sshj.connection.channel.Channel;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * The stderr of an SSH channel, read only while its stdout is not backlogged.
 *
 * <p>Why: an SSH channel has one flow-control window for stdout and stderr together, and sshj
 * re-opens that window whenever either stream is read. Relaying stderr continuously (vzdump
 * prints progress there) would keep re-opening the window while nobody reads stdout, so a slow
 * Plakar host would not slow vzdump: stdout would pile up in memory until sshj's buffer
 * overflowed ("Attempted overflow", seen at 1.5 GiB with a 128 MiB heap).
 *
 * <p>So stderr is only read when bytes are already there and stdout holds less than
 * {@code backlogLimit}: the check and the read are back to back, never separated by a
 * blocking wait during which the host could stall. Each read re-opens the window at most
 * once, which bounds stdout's backlog to the limit plus one window. A blocking read is used
 * only once the channel has seen EOF (nothing can arrive any more).
 */
final class BackpressuredStderr extends FilterInputStream {
    private static final long POLL_MILLIS = 20;
    private final InputStream stdout;
    private final Channel channel;
    private final int backlogLimit;

    BackpressuredStderr(InputStream stderr, InputStream stdout, Channel channel, int backlogLimit) {
        super(stderr);
        this.stdout = stdout;
        this.channel = channel;
        this.backlogLimit = backlogLimit;
    }

    /** How many bytes may be read now without blocking and without outrunning stdout; -1: read normally. */
    private int readable() throws IOException {
        while (true) {
            if (channel.isEOF() || !channel.isOpen()) {
                return -1;
            }
            int ready = in.available();
            if (ready > 0 && stdoutBacklog() < backlogLimit) {
                return ready;
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while waiting for stderr");
            }
        }
    }

    private int stdoutBacklog() {
        try {
            return stdout.available();
        } catch (IOException e) {
            return 0; // stdout closed or failed: nothing left to protect
        }
    }

    @Override
    public int read() throws IOException {
        readable();
        return super.read();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = readable();
        return super.read(b, off, n < 0 ? len : Math.min(len, n));
    }
}
