package io.plakar.pve.runner;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

/**
 * The one place that executes commands on a Proxmox node: locally (argv, no shell) or over
 * SSH (every argument shell-quoted). Connectors never build command strings themselves.
 */
public interface Runner extends AutoCloseable {

    /** Human description for logs and errors, e.g. {@code local} or {@code ssh plakar@10.0.0.1:22}. Never a secret. */
    String describe();

    /**
     * Runs a short command to completion, capturing stdout (at most {@code maxOutput} bytes
     * kept) and stderr. Throws on timeout (the command is killed) or transport failure; a
     * non-zero exit status is returned, not thrown.
     */
    CommandResult run(List<String> argv, Duration timeout) throws IOException, InterruptedException;

    /**
     * Starts a command whose stdin/stdout are byte streams (vzdump --stdout, cat > file,
     * qmrestore -). stderr lines go to {@code stderrLines} as they arrive (relayed progress)
     * and the last lines are kept in the returned handle.
     */
    RunningCommand start(List<String> argv, LineListener stderrLines) throws IOException;

    @Override
    void close();

    @FunctionalInterface
    interface LineListener {
        LineListener IGNORE = line -> { };

        void line(String line);
    }
}
