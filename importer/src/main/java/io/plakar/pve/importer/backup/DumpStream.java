package io.plakar.pve.importer.backup;

import io.plakar.pve.proxmox.Guest;
import io.plakar.pve.proxmox.Sizes;
import io.plakar.pve.runner.RunningCommand;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The content of one dump: the already-sniffed head bytes, then the rest of the producing
 * command's stdout, read straight through (the pipe or SSH window is the backpressure).
 * End of data is only end of data when the command then exits 0 having produced bytes;
 * otherwise {@link #read} throws an IOException naming the guest and the command's last
 * error line, so the host records a failed file and never a short one.
 * {@link #close()} may come from any thread (host cancel, acknowledgement without open):
 * it kills the command, which also unblocks a pending read.
 */
public final class DumpStream extends InputStream {
    private static final Logger LOG = LoggerFactory.getLogger(DumpStream.class);
    static final Duration EXIT_WAIT = Duration.ofMinutes(10);

    private final String label;
    private final String tool;
    private final RunningCommand cmd;
    private final InputStream in;
    private final byte[] head;
    private final int headLen;
    private final Runnable onDone;
    private final long startNanos = System.nanoTime();
    private final AtomicBoolean done = new AtomicBoolean();
    private int headPos;
    private long bytes;
    private volatile boolean cancelled;
    private volatile boolean succeeded;
    private volatile IOException failure;

    /**
     * @param label  the guest, as error messages name it ({@link Guest#describe()})
     * @param tool   what produces the bytes, for messages ({@code vzdump}, {@code cat})
     * @param onDone run exactly once when the stream is over (success, failure or close):
     *               frees the node's dump slot
     */
    public DumpStream(String label, String tool, RunningCommand cmd, byte[] head, int headLen, Runnable onDone) {
        this.label = Objects.requireNonNull(label);
        this.tool = tool;
        this.cmd = cmd;
        this.in = cmd.stdout();
        this.head = head;
        this.headLen = headLen;
        this.onDone = onDone;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (succeeded) {
            return -1;
        }
        check();
        if (len == 0) {
            return 0;
        }
        if (headPos < headLen) {
            int n = Math.min(len, headLen - headPos);
            System.arraycopy(head, headPos, b, off, n);
            headPos += n;
            bytes += n;
            return n;
        }
        int n;
        try {
            n = in.read(b, off, len);
        } catch (IOException e) {
            check();
            throw fail("reading the " + tool + " output failed (" + e.getMessage() + ")");
        }
        if (n < 0) {
            return finish();
        }
        bytes += n;
        return n;
    }

    private void check() throws IOException {
        IOException f = failure;
        if (f != null) {
            throw f;
        }
        if (cancelled) {
            throw new IOException(label + ": dump cancelled (" + tool + " killed)");
        }
    }

    private int finish() throws IOException {
        int status;
        try {
            status = cmd.waitFor(EXIT_WAIT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw fail("interrupted while waiting for " + tool + " to exit");
        } catch (IOException e) {
            check();
            throw fail(tool + " did not exit after its output ended (" + e.getMessage() + ")");
        }
        check();
        if (status == -1) {
            throw fail(tool + " was killed or the connection dropped before it reported an exit status");
        }
        if (status != 0) {
            throw fail(tool + " failed with exit status " + status);
        }
        if (bytes == 0) {
            throw fail(tool + " exited 0 without producing any archive bytes");
        }
        succeeded = true;
        double secs = Math.max((System.nanoTime() - startNanos) / 1e9, 1e-6);
        LOG.info("{}: dump finished, {} in {} s ({} MB/s)", label, Sizes.human(bytes),
                String.format("%.1f", secs), String.format("%.1f", bytes / secs / 1e6));
        markDone();
        return -1;
    }

    private IOException fail(String what) {
        String last = VzdumpErrors.lastErrorLine(cmd.lastStderrLines());
        IOException e = new IOException(label + ": " + what + (last == null ? "" : ": " + last)
                + " (after " + Sizes.human(bytes) + ")");
        failure = e;
        cmd.kill();
        LOG.error("{}: dump failed after {}: {}{}", label, Sizes.human(bytes), what, last == null ? "" : ": " + last);
        markDone();
        return e;
    }

    /** Bytes delivered so far (head included). */
    public long bytes() {
        return bytes;
    }

    public boolean succeeded() {
        return succeeded;
    }

    @Override
    public void close() {
        if (!succeeded && failure == null && !cancelled) {
            cancelled = true;
            cmd.kill();
            LOG.warn("{}: dump cancelled after {} ({} killed)", label, Sizes.human(bytes), tool);
        }
        markDone();
    }

    private void markDone() {
        if (!done.compareAndSet(false, true)) {
            return;
        }
        if (!succeeded) {
            // reap the killed child so it no longer counts against the node's parallelism
            try {
                cmd.waitFor(Duration.ofSeconds(15));
            } catch (IOException | InterruptedException ignored) {
                // it was killed; nothing more to do
            }
        }
        cmd.close();
        if (onDone != null) {
            onDone.run();
        }
    }
}
