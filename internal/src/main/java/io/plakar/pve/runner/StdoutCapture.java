package io.plakar.pve.runner;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Collects a short command's stdout on its own thread (so a chatty command can never block on a
 * full pipe while we wait for its exit), keeping at most 16 MiB. More than that is an error,
 * never a silently shortened answer (a cut JSON document could still parse).
 */
final class StdoutCapture {
    private static final int MAX_CAPTURE = 16 << 20;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final Thread thread;
    private volatile boolean overflow;

    StdoutCapture(InputStream in, String name) {
        thread = new Thread(() -> pump(in), name);
        thread.setDaemon(true);
        thread.start();
    }

    private void pump(InputStream in) {
        byte[] buf = new byte[64 << 10];
        try (in) {
            int n;
            while ((n = in.read(buf)) > 0) {
                synchronized (out) {
                    if (out.size() + n <= MAX_CAPTURE) {
                        out.write(buf, 0, n);
                    } else {
                        overflow = true;
                    }
                }
            }
        } catch (IOException ignored) {
            // the command ended or the connection dropped: the exit status tells which
        }
    }

    /** What was captured, after waiting up to {@code millis} for the stream's end. */
    String await(long millis) throws InterruptedException, IOException {
        thread.join(millis);
        if (overflow) {
            throw new IOException("the command printed more than " + (MAX_CAPTURE >> 20) + " MiB; its answer was not used");
        }
        synchronized (out) {
            return out.toString(StandardCharsets.UTF_8);
        }
    }
}
