package io.plakar.pve.runner;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;

/** A started command. {@link #kill()} and {@link #close()} are safe from any thread, any number of times. */
public interface RunningCommand extends AutoCloseable {
    /**
     * vzdump and qmrestore clean up (unlock the guest, resume or restart it, drop their snapshot,
     * free what they allocated) only when they get TERM, INT, HUP or PIPE; a KILL leaves the guest
     * locked. A minute is enough for that cleanup; KILL comes only after it.
     */
    Duration DEFAULT_STOP_GRACE = Duration.ofSeconds(60);

    InputStream stdout();

    OutputStream stdin();

    /**
     * Waits for the exit status. Returns -1 when the command was killed or the connection
     * dropped before an exit status arrived (treat as failure).
     */
    int waitFor(Duration timeout) throws IOException, InterruptedException;

    /** The last stderr lines (bounded), for error messages. */
    List<String> lastStderrLines();

    /**
     * Stops the command the way Proxmox tools need: TERM to the tool, a bounded wait (the runner's
     * stop grace) for it to clean up and exit, and KILL only for what is still running then.
     * Blocks until the command is gone or was killed.
     */
    void kill();

    boolean isAlive();

    @Override
    void close();

    /**
     * Closes stdin, reads stdout to its end (bounded capture) and waits for the exit: the
     * outcome of a command started with {@link Runner#start} to be stoppable from another thread.
     */
    default CommandResult complete(List<String> argv, Duration timeout) throws IOException, InterruptedException {
        try {
            stdin().close();
        } catch (IOException ignored) {
            // the command does not read stdin
        }
        StdoutCapture out = new StdoutCapture(stdout(), "stdout " + argv.get(0));
        int status = waitFor(timeout);
        String text = out.await(5000);
        return new CommandResult(argv, status, text, String.join("\n", lastStderrLines()));
    }
}
