package io.plakar.pve.exporter;

import io.plakar.pve.runner.CommandResult;
import io.plakar.pve.runner.Runner;
import io.plakar.pve.runner.RunningCommand;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;

/**
 * {@code dump_dir} on a node reached through a {@link Runner} (SSH). The file is created
 * exclusively by a noclobber shell ({@code set -C}: O_EXCL), then filled by {@code cat >>}
 * reading the SSH channel. The path is passed as {@code $1}, never spliced into the script,
 * and the runner quotes every argv element.
 */
public final class RemoteStagingArea implements StagingArea {
    static final int EXISTS = 17;
    /** Exit 17 when the name is taken (even by a dangling symlink); else create it with O_EXCL. */
    static final String CREATE_EXCLUSIVE =
            "if [ -e \"$1\" ] || [ -L \"$1\" ]; then exit 17; fi; set -C; : > \"$1\"";
    static final String APPEND = "exec cat >> \"$1\"";
    private static final Duration SHORT = Duration.ofSeconds(60);
    private final Runner runner;
    private final String dir;

    public RemoteStagingArea(Runner runner, String directory) {
        this.runner = runner;
        this.dir = directory;
    }

    @Override
    public String directory() {
        return dir;
    }

    @Override
    public long freeBytes() throws IOException, InterruptedException {
        CommandResult r = runner.run(List.of("df", "-B1", "--output=avail", dir), SHORT);
        if (!r.ok()) {
            throw new IOException("cannot read free space of " + dir + " on " + runner.describe() + ": " + r.lastErrorLine());
        }
        String[] lines = r.stdout().strip().split("\n");
        try {
            return Long.parseLong(lines[lines.length - 1].strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    @Override
    public OutputStream create(String fileName) throws IOException, InterruptedException {
        String path = pathOf(check(fileName));
        CommandResult r = runner.run(List.of("sh", "-c", CREATE_EXCLUSIVE, "sh", path), SHORT);
        if (r.exitStatus() == EXISTS) {
            throw new AlreadyExists(path);
        }
        if (!r.ok()) {
            throw new IOException("cannot create " + path + " on " + runner.describe() + ": " + r.lastErrorLine());
        }
        RunningCommand cat = runner.start(List.of("sh", "-c", APPEND, "sh", path), Runner.LineListener.IGNORE);
        return new CatStream(cat, path);
    }

    @Override
    public void remove(String fileName) throws IOException, InterruptedException {
        String path = pathOf(check(fileName));
        CommandResult r = runner.run(List.of("rm", "-f", "--", path), SHORT);
        if (!r.ok()) {
            throw new IOException("cannot remove " + path + " on " + runner.describe() + ": " + r.lastErrorLine());
        }
    }

    private static String check(String fileName) {
        if (fileName.isEmpty() || fileName.contains("/") || fileName.equals("..") || fileName.equals(".")) {
            throw new IllegalArgumentException("not a plain file name: " + fileName);
        }
        return fileName;
    }

    /** stdin of {@code cat}; close() waits for cat's exit status so a lost byte is an error. */
    private final class CatStream extends FilterOutputStream {
        private final RunningCommand cat;
        private final String path;
        private boolean closed;

        CatStream(RunningCommand cat, String path) {
            super(cat.stdin());
            this.cat = cat;
            this.path = path;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            try {
                out.write(b, off, len);
            } catch (IOException e) {
                throw failure("writing", e);
            }
        }

        private IOException failure(String what, IOException cause) {
            cat.kill();
            List<String> err = cat.lastStderrLines();
            String detail = err.isEmpty() ? cause.getMessage() : String.join(" / ", err);
            return new IOException(what + " " + path + " on " + runner.describe() + " failed: " + detail, cause);
        }

        @Override
        public void close() throws IOException {
            if (closed) {
                return;
            }
            closed = true;
            try {
                out.flush(); // sshj's channel close() does not wait for window space before EOF
                out.close();
                int status = cat.waitFor(Duration.ofMinutes(10));
                if (status != 0) {
                    List<String> err = cat.lastStderrLines();
                    throw new IOException("writing " + path + " on " + runner.describe() + " failed (exit "
                            + status + (status == -1 ? ", connection lost" : "") + ")"
                            + (err.isEmpty() ? "" : ": " + String.join(" / ", err)));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while finishing " + path, e);
            } catch (IOException e) {
                if (e.getMessage() != null && e.getMessage().startsWith("writing ")) {
                    throw e;
                }
                throw failure("finishing", e);
            } finally {
                cat.close();
            }
        }

        /** Abandons the write: the caller removes the partial file. */
        void abort() {
            closed = true;
            cat.kill();
            cat.close();
        }
    }

    /** Abandons a stream returned by {@link #create} without completing it (kills cat). */
    static void abort(OutputStream out) {
        if (out instanceof CatStream c) {
            c.abort();
        }
    }
}
