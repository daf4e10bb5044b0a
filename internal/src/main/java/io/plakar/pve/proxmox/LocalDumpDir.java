package io.plakar.pve.proxmox;

import io.plakar.pve.runner.Runner;
import io.plakar.pve.runner.RunningCommand;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** The dump directory on this machine (mode=local): Java NIO, no shell; reading goes through {@code cat}. */
final class LocalDumpDir implements DumpDir {
    private final Runner runner;
    private final Path dir;
    private final boolean isPrivate;

    LocalDumpDir(Runner runner, String path, boolean isPrivate) {
        this.runner = runner;
        this.dir = Path.of(path);
        this.isPrivate = isPrivate;
    }

    @Override
    public String path() {
        return dir.toString();
    }

    @Override
    public long freeBytes() throws IOException {
        requireDirectory();
        return Files.getFileStore(dir).getUsableSpace();
    }

    @Override
    public List<String> list() throws IOException {
        requireDirectory();
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            ds.forEach(p -> names.add(p.getFileName().toString()));
        }
        return names;
    }

    @Override
    public RunningCommand open(String fileName) throws IOException {
        return runner.start(List.of("cat", "--", pathOf(fileName)), Runner.LineListener.IGNORE);
    }

    @Override
    public Output createExclusive(String fileName) throws IOException {
        requireDirectory();
        Path file = dir.resolve(DumpDir.checkName(fileName));
        try {
            // CREATE_NEW is O_CREAT|O_EXCL: never follows or replaces an existing file or symlink
            FileChannel ch = FileChannel.open(file, java.util.Set.of(StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            return new ChannelOutput(ch);
        } catch (FileAlreadyExistsException e) {
            throw new AlreadyExists(file.toString());
        }
    }

    @Override
    public void remove(String fileName) throws IOException {
        Files.deleteIfExists(dir.resolve(DumpDir.checkName(fileName)));
    }

    @Override
    public DumpDir createPrivate() throws IOException {
        requireDirectory();
        Path p = dir.resolve(DumpDir.privateName());
        // createDirectory fails if the name exists (no symlink followed); the mode is set at creation
        Files.createDirectory(p, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        return new LocalDumpDir(runner, p.toString(), true);
    }

    @Override
    public void removePrivate() throws IOException {
        if (!isPrivate) {
            throw new IllegalStateException("refusing to remove the shared dump directory " + dir);
        }
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /** Writes a file channel; aborting just closes it. */
    private static final class ChannelOutput extends Output {
        private final FileChannel ch;
        private final OutputStream out;

        ChannelOutput(FileChannel ch) {
            this.ch = ch;
            this.out = Channels.newOutputStream(ch);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            out.close();
        }

        @Override
        public void abort() {
            try {
                ch.close();
            } catch (IOException ignored) {
                // giving up anyway
            }
        }
    }

    private void requireDirectory() throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new NoSuchFileException(dir.toString(), null, "dump_dir is not a directory on this node");
        }
    }
}
