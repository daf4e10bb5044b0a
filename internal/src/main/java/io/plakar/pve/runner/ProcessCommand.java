package io.plakar.pve.runner;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import java.util.concurrent.TimeUnit;

/**
 * A {@link RunningCommand} backed by a local child process (the command itself, or the
 * system {@code ssh} client carrying it). Subclasses add what killing and exit statuses
 * mean for their transport.
 */
class ProcessCommand implements RunningCommand {
    private final Process process;
    private final StderrTail tail;
    private final String name;
    private final Duration stopGrace;
    private volatile boolean killed;

    ProcessCommand(Process process, StderrTail tail, String name, Duration stopGrace) {
        this.process = process;
        this.tail = tail;
        this.name = name;
        this.stopGrace = stopGrace;
    }

    @Override
    public InputStream stdout() {
        return process.getInputStream();
    }

    @Override
    public OutputStream stdin() {
        return process.getOutputStream();
    }

    @Override
    public int waitFor(Duration timeout) throws IOException, InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            kill();
            throw new IOException(name + ": command did not finish within " + timeout.toSeconds() + "s");
        }
        tail.awaitEnd(2000);
        return killed ? -1 : exitStatus(process.exitValue(), tail.lines());
    }

    /** The exit status to report; -1 means "no real status" (killed, connection lost). */
    protected int exitStatus(int status, List<String> stderrTail) {
        return status;
    }

    /**
     * Sends TERM to the tool. Locally that is the child itself; subclasses carrying the command
     * over a connection signal the remote tool instead.
     */
    protected void terminate() {
        process.destroy(); // SIGTERM on Unix
    }

    /** KILL for a tool that outlived its grace; subclasses also reach the remote side. */
    protected void forceKill() {
    }

    protected final boolean processAlive() {
        return process.isAlive();
    }

    @Override
    public List<String> lastStderrLines() {
        return tail.lines();
    }

    @Override
    public synchronized void kill() {
        if (killed) {
            return;
        }
        killed = true;
        if (!process.isAlive()) {
            return;
        }
        // the tree as it is now: once the tool exits, its children are no longer its descendants
        List<ProcessHandle> tree = process.descendants().collect(Collectors.toList());
        terminate();
        // a tool cleaning up must not block on a pipe nobody reads any more
        closeQuietly(process.getInputStream());
        boolean exited;
        try {
            exited = process.waitFor(stopGrace.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            exited = false;
        }
        if (!exited) {
            forceKill();
        }
        tree.forEach(ProcessHandle::destroyForcibly);
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS); // KILL is asynchronous: gone means gone
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            kill();
        }
        closeQuietly(process.getOutputStream());
        closeQuietly(process.getInputStream());
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // already closed
        }
    }
}
