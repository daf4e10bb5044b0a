package io.plakar.pve.runner;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * A private key given as text must reach the ssh client as a file, yet no file may outlive the
 * plugin (a KILL skips every cleanup). So the file is opened, then removed from the file
 * system at once; this process keeps it open, and each ssh child reads it through
 * {@code /proc/<our pid>/fd/<n>} (Linux). The kernel frees it when this process ends.
 */
final class UnlinkedKeyFile {
    /** Open descriptors held for the life of the process (closing one would free the key). */
    private static final List<FileChannel> HELD = new ArrayList<>();

    private UnlinkedKeyFile() {
    }

    /** The /proc path reading the now-unlinked {@code file}, or null when this system cannot do it (the file stays). */
    static synchronized Path hold(Path file) {
        Path self = Path.of("/proc/self/fd");
        if (!Files.isDirectory(self)) {
            return null;
        }
        FileChannel ch;
        try {
            ch = FileChannel.open(file, StandardOpenOption.READ);
        } catch (IOException e) {
            return null;
        }
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(self)) {
            Path real = file.toRealPath();
            for (Path fd : fds) {
                try {
                    if (Files.readSymbolicLink(fd).equals(real)) {
                        Path viaProc = Path.of("/proc", Long.toString(ProcessHandle.current().pid()), "fd",
                                fd.getFileName().toString());
                        Files.delete(file);
                        HELD.add(ch);
                        return viaProc;
                    }
                } catch (IOException ignored) {
                    // a descriptor closed meanwhile, or not a link we can read
                }
            }
        } catch (IOException ignored) {
            // fall through: keep the file
        }
        try {
            ch.close();
        } catch (IOException ignored) {
            // nothing held
        }
        return null;
    }
}
