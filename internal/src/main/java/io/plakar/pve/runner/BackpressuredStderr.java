package io.plakar.pve.runner;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * The stderr of an SSH channel, read only while its stdout is not backlogged.
 *
 * <p>Why: an SSH channel has one flow-control window for stdout and stderr together, and sshj
 * re-opens that window whenever either stream is read. Relaying stderr continuously (vzdump
 * prints progress there) would therefore keep re-opening the window while nobody reads stdout,
 * so a slow Plakar host would not slow vzdump: stdout would pile up in memory until sshj's
 * buffer overflowed ("Attempted overflow", seen at 1.5 GiB with a 128 MiB heap). Reading stderr
 * only while stdout has less than half a window buffered keeps the window tied to the consumer.
 */
final class BackpressuredStderr extends FilterInputStream {
    private static final long POLL_MILLIS = 20;
    private final InputStream stdout;
    private final int backlogLimit;

    BackpressuredStderr(InputStream stderr, InputStream stdout, int backlogLimit) {
        super(stderr);
        this.stdout = stdout;
        this.backlogLimit = backlogLimit;
    }

    private void awaitStdoutDrained() throws IOException {
        while (true) {
            int backlog;
            try {
                backlog = stdout.available();
            } catch (IOException e) {
                return; // stdout closed or failed: nothing left to protect
            }
            if (backlog < backlogLimit) {
                return;
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while stdout was backlogged");
            }
        }
    }

    @Override
    public int read() throws IOException {
        awaitStdoutDrained();
        return super.read();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        awaitStdoutDrained();
        return super.read(b, off, len);
    }
}
