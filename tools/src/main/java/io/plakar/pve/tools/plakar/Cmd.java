package io.plakar.pve.tools.plakar;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs one command to completion with its stdout and stderr kept apart, as a user's terminal shows them. */
public final class Cmd {
    /** What one command did: exit status and its two output streams. */
    public record Result(List<String> argv, int exit, byte[] stdoutBytes, String stderr) {
        public String stdout() {
            return new String(stdoutBytes, StandardCharsets.UTF_8);
        }

        /** stdout without plakar's per-file {@code OK ✓} unpacking lines. */
        public String stdoutWithoutUnpacking() {
            StringBuilder b = new StringBuilder();
            for (String line : stdout().split("\n", -1)) {
                if (!line.matches("[0-9a-f]{8}: OK ✓ .*")) {
                    b.append(line).append('\n');
                }
            }
            return b.toString().strip();
        }

        public Result ok() {
            if (exit != 0) {
                throw new AssertionError("exit " + exit + " from " + String.join(" ", argv) + "\n" + this);
            }
            return this;
        }

        @Override
        public String toString() {
            return "--- stdout\n" + stdout() + "--- stderr\n" + stderr;
        }
    }

    private Cmd() {
    }

    /**
     * Stops a command that ran too long the way its Proxmox tools need: TERM to plakar (it closes
     * its plugins, which stop vzdump/qmrestore with TERM and their grace), a bounded wait, and
     * KILL only for the tree still left after it.
     */
    public static void stop(Process p) throws InterruptedException {
        List<ProcessHandle> tree = p.descendants().toList();
        p.destroy();
        if (!p.waitFor(90, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        tree.stream().filter(ProcessHandle::isAlive).forEach(h -> {
            h.destroy();
            h.onExit().completeOnTimeout(h, 60, TimeUnit.SECONDS).join();
            h.destroyForcibly();
        });
    }

    public static Result run(List<String> argv, Map<String, String> env, Path cwd, Duration timeout) {
        try {
            Path out = Files.createTempFile("cmd", ".out");
            Path err = Files.createTempFile("cmd", ".err");
            try {
                ProcessBuilder pb = new ProcessBuilder(argv).directory(cwd.toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                        .redirectOutput(out.toFile()).redirectError(err.toFile());
                pb.environment().clear();
                pb.environment().putAll(env);
                Process p = pb.start();
                if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    stop(p);
                    throw new AssertionError("timed out after " + timeout + ": " + String.join(" ", argv));
                }
                return new Result(argv, p.exitValue(), Files.readAllBytes(out),
                        Files.readString(err, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new AssertionError("cannot run " + argv, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
