package io.plakar.pve.exporter;

import io.plakar.pve.runner.CommandResult;
import io.plakar.pve.runner.Runner;
import io.plakar.pve.runner.RunningCommand;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

/**
 * The restore tools run through here so that a cancel from the host (another thread) can stop
 * the one running: TERM, a bounded wait for it to release its locks and clean up, then KILL
 * (the runner's stop). Once aborted, nothing new starts.
 */
final class AbortableCommands {
    private final Runner runner;
    private RunningCommand current;
    private boolean aborted;

    AbortableCommands(Runner runner) {
        this.runner = runner;
    }

    /** Starts a command unless aborted; {@link #done} must follow. */
    synchronized RunningCommand start(List<String> argv) throws IOException, Cancelled {
        if (aborted) {
            throw new Cancelled();
        }
        current = runner.start(argv, Runner.LineListener.IGNORE);
        return current;
    }

    synchronized void done(RunningCommand cmd) {
        if (current == cmd) {
            current = null;
        }
    }

    /** Runs a command to its end (or until aborted) and returns its outcome. */
    CommandResult run(List<String> argv, Duration timeout) throws IOException, InterruptedException, Cancelled {
        RunningCommand cmd = start(argv);
        try (cmd) {
            return cmd.complete(argv, timeout);
        } finally {
            done(cmd);
        }
    }

    /** Stops the running command (blocking until it is gone) and refuses new ones. */
    void abort() {
        RunningCommand c;
        synchronized (this) {
            aborted = true;
            c = current;
        }
        if (c != null) {
            c.kill();
        }
    }

    synchronized void resume() {
        aborted = false;
    }

    synchronized boolean aborted() {
        return aborted;
    }

    /** The host cancelled the restore: nothing (more) was started. */
    static final class Cancelled extends Exception {
        Cancelled() {
            super("the restore was cancelled");
        }
    }
}
