package io.plakar.pve.runner;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/** Reads a stderr stream line by line (each line bounded) on its own thread: relays each line and keeps the last few. */
public final class StderrTail {
    private static final int KEEP = 20;
    private final Deque<String> last = new ArrayDeque<>();
    private final Thread thread;

    public StderrTail(InputStream in, Runner.LineListener listener, String name) {
        thread = new Thread(() -> pump(in, listener), name);
        thread.setDaemon(true);
        thread.start();
    }

    private void pump(InputStream in, Runner.LineListener listener) {
        try (in) {
            BoundedLineReader r = new BoundedLineReader(in);
            String line;
            while ((line = r.readLine()) != null) {
                synchronized (last) {
                    if (last.size() == KEEP) {
                        last.removeFirst();
                    }
                    last.addLast(line);
                }
                try {
                    listener.line(line);
                } catch (RuntimeException ignored) {
                    // a broken listener must not stop the drain: the child would block on a full pipe
                }
            }
        } catch (IOException ignored) {
            // stream closed: the command ended or was killed
        }
    }

    /** Waits briefly for the reader to drain what the command wrote before exiting. */
    public void awaitEnd(long millis) throws InterruptedException {
        thread.join(millis);
    }

    public List<String> lines() {
        synchronized (last) {
            return new ArrayList<>(last);
        }
    }
}
