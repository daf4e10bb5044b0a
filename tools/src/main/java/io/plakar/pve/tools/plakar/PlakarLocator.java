package io.plakar.pve.tools.plakar;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Which plakar client to drive: {@code PLAKAR=/path}, else {@code plakar} on PATH, else (for the benchmarks) the pinned v1.1.4 in ../shared. */
public final class PlakarLocator {
    private PlakarLocator() {
    }

    /** The user's plakar: {@code PLAKAR=} or the first {@code plakar} on PATH. */
    public static Optional<Path> users() {
        String given = System.getenv("PLAKAR");
        if (given != null && !given.isBlank()) {
            return Optional.of(Path.of(given));
        }
        String path = System.getenv("PATH");
        for (String dir : path == null ? new String[0] : path.split(File.pathSeparator)) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, "plakar");
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** The user's plakar, else the pinned client unpacked by {@code ../shared/tools/plakar/install.sh}. */
    public static Optional<Path> find(Path repoRoot) {
        Optional<Path> user = users();
        if (user.isPresent()) {
            return user;
        }
        Path install = repoRoot.resolve("../shared/tools/plakar/install.sh").normalize();
        if (!Files.isRegularFile(install)) {
            return Optional.empty();
        }
        Cmd.Result r = Cmd.run(List.of("sh", install.toString()), Map.of("PATH", System.getenv("PATH")), repoRoot,
                Duration.ofSeconds(60)).ok();
        return Optional.of(Path.of(r.stdout().strip()));
    }
}
