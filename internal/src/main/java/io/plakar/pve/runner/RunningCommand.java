package io.plakar.pve.runner;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;

/** A started command. {@link #kill()} and {@link #close()} are safe from any thread, any number of times. */
public interface RunningCommand extends AutoCloseable {

    InputStream stdout();

    OutputStream stdin();

    /**
     * Waits for the exit status. Returns -1 when the command was killed or the connection
     * dropped before an exit status arrived (treat as failure).
     */
    int waitFor(Duration timeout) throws IOException, InterruptedException;

    /** The last stderr lines (bounded), for error messages. */
    List<String> lastStderrLines();

    /** Stops the command now (local: destroy the process tree; remote: signal and close the channel). */
    void kill();

    boolean isAlive();

    @Override
    void close();
}
