package io.plakar.pve.exporter;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** {@code dump_dir} on this machine (mode=local): Java NIO, {@code CREATE_NEW}, no shell. */
public final class LocalStagingArea implements StagingArea {
    private final Path dir;

    public LocalStagingArea(String directory) {
        this.dir = Path.of(directory);
    }

    @Override
    public String directory() {
        return dir.toString();
    }

    @Override
    public long freeBytes() throws IOException {
        requireDirectory();
        return Files.getFileStore(dir).getUsableSpace();
    }

    private void requireDirectory() throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new NoSuchFileException(dir.toString(), null, "dump_dir is not a directory on this node");
        }
    }

    @Override
    public OutputStream create(String fileName) throws IOException {
        requireDirectory();
        Path file = resolve(fileName);
        try {
            // CREATE_NEW is O_CREAT|O_EXCL: never follows or replaces an existing file or symlink
            FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                    LinkOption.NOFOLLOW_LINKS);
            return Channels.newOutputStream(ch);
        } catch (FileAlreadyExistsException e) {
            throw new AlreadyExists(file.toString());
        }
    }

    @Override
    public void remove(String fileName) throws IOException {
        Files.deleteIfExists(resolve(fileName));
    }

    private Path resolve(String fileName) {
        if (fileName.isEmpty() || fileName.contains("/") || fileName.equals("..") || fileName.equals(".")) {
            throw new IllegalArgumentException("not a plain file name: " + fileName);
        }
        return dir.resolve(fileName);
    }
}
