package io.plakar.pve.proxmox;

import io.plakar.pve.runner.CommandResult;
import io.plakar.pve.runner.Runner;
import io.plakar.pve.runner.RunningCommand;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A dump directory on a node reached through a {@link Runner} (SSH). Paths are passed to
 * fixed scripts as {@code $1}, never spliced into them, and the runner quotes every argv
 * element.
 */
final class NodeDumpDir implements DumpDir {
    static final int EXISTS = 17;
    /**
     * One command creates and fills the file: owner-only ({@code umask 077}), refused when the
     * name is taken even by a dangling symlink, then {@code set -C} (O_EXCL) for the open itself;
     * "ready" on stdout says the file is open and every byte on stdin goes into it.
     */
    static final String CREATE_EXCLUSIVE = "umask 077; if [ -e \"$1\" ] || [ -L \"$1\" ]; then exit 17; fi; "
            + "set -C; exec 3> \"$1\" || exit 1; echo ready; exec cat >&3";
    static final String MAKE_PRIVATE = "umask 077; exec mkdir -m 0700 -- \"$1\"";
    private static final Duration SHORT = Duration.ofSeconds(60);

    private final Runner runner;
    private final String dir;
    private final boolean isPrivate;

    NodeDumpDir(Runner runner, String dir, boolean isPrivate) {
        this.runner = runner;
        this.dir = dir;
        this.isPrivate = isPrivate;
    }

    @Override
    public String path() {
        return dir;
    }

    @Override
    public long freeBytes() throws IOException, InterruptedException {
        CommandResult r = runner.run(List.of("df", "-B1", "--output=avail", "--", dir), SHORT);
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
    public List<String> list() throws IOException, InterruptedException {
        CommandResult r = runner.run(List.of("ls", "-1", "-A", "--", dir), SHORT);
        if (!r.ok()) {
            throw new IOException("cannot list " + dir + " on " + runner.describe() + ": " + r.lastErrorLine());
        }
        List<String> names = new ArrayList<>();
        for (String l : r.stdout().split("\n")) {
            if (!l.isEmpty()) {
                names.add(l);
            }
        }
        return names;
    }

    @Override
    public RunningCommand open(String fileName) throws IOException {
        return runner.start(List.of("cat", "--", pathOf(fileName)), Runner.LineListener.IGNORE);
    }

    @Override
    public Output createExclusive(String fileName) throws IOException, InterruptedException {
        String path = pathOf(fileName);
        RunningCommand cmd = runner.start(List.of("sh", "-c", CREATE_EXCLUSIVE, "sh", path), Runner.LineListener.IGNORE);
        String first = readLine(cmd.stdout());
        if (!"ready".equals(first)) {
            int status = cmd.waitFor(SHORT);
            List<String> err = cmd.lastStderrLines();
            cmd.close();
            if (status == EXISTS) {
                throw new AlreadyExists(path);
            }
            throw new IOException("cannot create " + path + " on " + runner.describe() + ": "
                    + (err.isEmpty() ? "exit status " + status : String.join(" / ", err)));
        }
        return new WriteStream(cmd, path);
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int b; (b = in.read()) >= 0 && b != '\n' && sb.length() < 64; ) {
            sb.append((char) b);
        }
        return sb.toString();
    }

    @Override
    public void remove(String fileName) throws IOException, InterruptedException {
        String path = pathOf(fileName);
        CommandResult r = runner.run(List.of("rm", "-f", "--", path), SHORT);
        if (!r.ok()) {
            throw new IOException("cannot remove " + path + " on " + runner.describe() + ": " + r.lastErrorLine());
        }
    }

    @Override
    public DumpDir createPrivate() throws IOException, InterruptedException {
        String path = pathOf(DumpDir.privateName());
        CommandResult r = runner.run(List.of("sh", "-c", MAKE_PRIVATE, "sh", path), SHORT);
        if (!r.ok()) {
            throw new IOException("cannot create a private directory in " + dir + " on " + runner.describe() + ": "
                    + r.lastErrorLine());
        }
        return new NodeDumpDir(runner, path, true);
    }

    @Override
    public void removePrivate() throws IOException, InterruptedException {
        if (!isPrivate) {
            throw new IllegalStateException("refusing to remove the shared dump directory " + dir);
        }
        CommandResult r = runner.run(List.of("rm", "-rf", "--", dir), SHORT);
        if (!r.ok()) {
            throw new IOException("cannot remove " + dir + " on " + runner.describe() + ": " + r.lastErrorLine());
        }
    }

    /** stdin of the writing command; close() waits for its exit status so a lost byte is an error. */
    private final class WriteStream extends Output {
        private final RunningCommand cmd;
        private final OutputStream out;
        private final String path;
        private boolean closed;

        WriteStream(RunningCommand cmd, String path) {
            this.cmd = cmd;
            this.out = cmd.stdin();
            this.path = path;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void abort() {
            closed = true;
            cmd.kill();
            cmd.close();
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
            closed = true;
            cmd.kill();
            List<String> err = cmd.lastStderrLines();
            cmd.close();
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
                int status = cmd.waitFor(Duration.ofMinutes(10));
                if (status != 0) {
                    List<String> err = cmd.lastStderrLines();
                    throw new IOException("writing " + path + " on " + runner.describe() + " failed (exit "
                            + status + (status == -1 ? ", connection lost" : "") + ")"
                            + (err.isEmpty() ? "" : ": " + String.join(" / ", err)));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while finishing " + path, e);
            } finally {
                cmd.close();
            }
        }
    }

    @Override
    public String toString() {
        return dir + " on " + runner.describe();
    }

}
