package io.plakar.pve.plugin.packaging;

import io.plakar.pve.tools.plakar.Cmd;
import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The real plakar client and Plakar's package validator: {@code PLAKAR=/path} and
 * {@code PLAKAR_VALIDATOR=/path} name them, else {@code ../shared/tools/plakar/install.sh}
 * unpacks them. When neither exists the calling test is skipped, loudly: a banner on stderr
 * and a JUnit assumption, so a green build never hides that the real client was not tried.
 */
public final class PlakarBinaries {
    private static final Map<String, Path> FOUND = new ConcurrentHashMap<>();

    private PlakarBinaries() {
    }

    public static Path plakar() {
        return FOUND.computeIfAbsent("plakar", k -> find("PLAKAR", "plakar"));
    }

    public static Path validator() {
        return FOUND.computeIfAbsent("validator", k -> find("PLAKAR_VALIDATOR", "validator"));
    }

    public static Path repoRoot() {
        return Path.of(System.getProperty("repo.root", ".")).toAbsolutePath().normalize();
    }

    private static Path find(String env, String what) {
        String given = System.getenv(env);
        if (given != null && !given.isBlank()) {
            Path p = Path.of(given);
            if (!Files.isExecutable(p)) {
                throw new AssertionError(env + "=" + given + " is not an executable file");
            }
            return p;
        }
        Path install = repoRoot().resolve("../shared/tools/plakar/install.sh").normalize();
        if (!Files.isRegularFile(install)) {
            String why = "the real " + what + " was not found: set " + env + "=/path or provide " + install;
            System.err.println("\n" + "#".repeat(78) + "\n# SKIPPED: " + why + "\n" + "#".repeat(78) + "\n");
            Assumptions.assumeTrue(false, why);
        }
        // The binaries exist: failing to unpack them (no xz, bad checksum) is an error, not a skip.
        Cmd.Result r = Cmd.run(List.of("sh", install.toString(), what), Map.of("PATH", System.getenv("PATH")),
                repoRoot(), Duration.ofSeconds(60)).ok();
        return Path.of(r.stdout().strip());
    }
}
