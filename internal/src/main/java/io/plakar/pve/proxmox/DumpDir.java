package io.plakar.pve.proxmox;

import io.plakar.pve.runner.LocalRunner;
import io.plakar.pve.runner.Runner;
import io.plakar.pve.runner.RunningCommand;

import java.io.IOException;
import java.io.OutputStream;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;

/**
 * A node's dump directory. {@code dump_dir} is shared: it defaults to the {@code local}
 * storage where scheduled backup jobs write their archives, and our vzdump may wait behind
 * such a job while that job's files appear next to ours. So nothing here decides "this file
 * is mine" from a listing: a run works in a private directory of its own
 * ({@link #createPrivate()}, mode 0700, a random name), and only a private directory can be
 * removed with what it holds. Names are plain file names, never paths from elsewhere.
 */
public interface DumpDir {
    /** Prefix of the private directories this plugin creates (dot: hidden from PVE's storage scan). */
    String PRIVATE_PREFIX = ".plakar-";

    /** The directory on the node. */
    String path();

    /** The full path of a file inside. */
    default String pathOf(String fileName) {
        return (path().equals("/") ? "" : path()) + "/" + checkName(fileName);
    }

    /** Free bytes available in the directory, or -1 when unknown. */
    long freeBytes() throws IOException, InterruptedException;

    /** The names in the directory. */
    List<String> list() throws IOException, InterruptedException;

    /** Streams a file's bytes ({@code cat}): its exit status tells whether every byte was read. */
    RunningCommand open(String fileName) throws IOException;

    /**
     * Creates {@code fileName} exclusively, readable by the owner only, and returns a stream
     * writing it; {@link AlreadyExists} when the name is taken (even by a dangling symlink).
     * Closing the stream completes the write and throws if any byte was lost.
     */
    Output createExclusive(String fileName) throws IOException, InterruptedException;

    /** Removes a file this plugin created; quiet when it is already gone. */
    void remove(String fileName) throws IOException, InterruptedException;

    /** Creates a fresh private directory inside this one (mode 0700) for one run's files. */
    DumpDir createPrivate() throws IOException, InterruptedException;

    /**
     * Removes this directory with everything in it. Only for a directory made by
     * {@link #createPrivate()}: the shared dump_dir itself is never removed.
     */
    void removePrivate() throws IOException, InterruptedException;

    /**
     * {@link #removePrivate()} for cleanup paths, which must not fail what they clean up after:
     * true when removed; a failure is logged with the reason.
     */
    default boolean removePrivateQuietly(String label) {
        try {
            removePrivate();
            return true;
        } catch (IOException | RuntimeException e) {
            org.slf4j.LoggerFactory.getLogger(DumpDir.class).warn("{}: could not remove {}: {}", label, path(), e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return false;
    }

    /** The dump directory {@code path} as seen through {@code runner}. */
    static DumpDir on(Runner runner, String path) {
        return runner instanceof LocalRunner ? new LocalDumpDir(runner, path, false) : new NodeDumpDir(runner, path, false);
    }

    /** A name no other run picks: the prefix and 64 random bits. */
    static String privateName() {
        byte[] b = new byte[8];
        new SecureRandom().nextBytes(b);
        return PRIVATE_PREFIX + HexFormat.of().formatHex(b);
    }

    static String checkName(String fileName) {
        if (fileName.isEmpty() || fileName.contains("/") || fileName.equals("..") || fileName.equals(".")
                || fileName.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("not a plain file name: " + fileName);
        }
        return fileName;
    }

    /** A file being written: {@link #close()} completes it, {@link #abort()} gives it up (the caller removes it). */
    abstract class Output extends OutputStream {
        public abstract void abort();
    }

    /** The name is taken. */
    final class AlreadyExists extends IOException {
        public AlreadyExists(String path) {
            super(path + " already exists");
        }
    }
}
