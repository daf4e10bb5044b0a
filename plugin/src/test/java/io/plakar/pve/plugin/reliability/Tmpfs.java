package io.plakar.pve.plugin.reliability;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** A tiny tmpfs (a dump_dir that fills up), or null when this machine does not allow mounting. */
final class Tmpfs implements AutoCloseable {
    final Path dir;

    private Tmpfs(Path dir) {
        this.dir = dir;
    }

    static Tmpfs mount(Path parent, String sizeSpec) throws IOException, InterruptedException {
        Path d = Files.createTempDirectory(parent, "full-");
        Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=" + sizeSpec + ",mode=1777", "tmpfs", d.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            Files.deleteIfExists(d);
            System.err.println("tmpfs not available: " + out);
            return null;
        }
        return new Tmpfs(d);
    }

    long free() throws IOException {
        return Files.getFileStore(dir).getUsableSpace();
    }

    @Override
    public void close() throws IOException, InterruptedException {
        new ProcessBuilder("umount", "-l", dir.toString()).inheritIO().start().waitFor(30, TimeUnit.SECONDS);
        Files.deleteIfExists(dir);
    }
}
