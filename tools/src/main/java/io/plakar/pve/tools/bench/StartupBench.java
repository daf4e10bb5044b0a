package io.plakar.pve.tools.bench;

import io.plakar.pve.testkit.host.PluginProcess;
import io.plakar.pve.tools.plakar.Cmd;
import io.plakar.pve.tools.plakar.PlakarHome;
import io.plakar.pve.tools.plakar.PlakarLocator;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Spawn-to-Init of the importer from where plakar installs it: the package is made with
 * {@code plakar pkg create}, installed with {@code plakar pkg add} into a private home, and
 * started from there (plakar's cache directory, plakar's working directory), after the first
 * start has recorded its class-data-sharing archive. Init is answered with a config error, so
 * nothing but start-up is timed. Two measures:
 * <ul>
 * <li>through the real client: wall time of a {@code plakar backup} whose Init is refused, less
 *     the same client's wall time for {@code plakar ls} on the same repository (its own start,
 *     package loading and repository opening);</li>
 * <li>through the test host: spawn to Init answered, of the installed executable.</li>
 * </ul>
 */
public final class StartupBench {
    private static final int RUNS = 11;

    public static void main(String[] args) throws Exception {
        System.setProperty("testhost.quiet", "true");
        Path root = Path.of(System.getProperty("repo.root", "."));
        Path pkg = root.resolve("dist");
        if (!Files.isRegularFile(pkg.resolve("manifest.yaml"))) {
            pkg = Path.of(System.getProperty("plugin.package", root.resolve("plugin/target/package").toString()));
        }
        Path plakarBin = PlakarLocator.find(root).orElse(null);
        if (plakarBin == null) {
            System.out.println("no plakar client found (PATH, PLAKAR=, ../shared/tools/plakar): nothing measured");
            return;
        }
        Path tmp = Files.createTempDirectory("bench-startup-");
        try {
            PlakarHome plakar = new PlakarHome(plakarBin, tmp.resolve("home"));
            Path ptar = plakar.pkgCreate(pkg, tmp);
            plakar.run("pkg", "add", ptar.toString()).ok();
            Path repo = tmp.resolve("repo");
            plakar.run("at", repo.toString(), "create", "-plaintext").ok();
            Path installed = plakar.installedPackage();
            System.out.println("package " + pkg + " installed by " + plakarBin + " at " + installed);

            // The first start records the archive when its JVM exits; the next start adopts it.
            refusedBackup(plakar, repo);
            plakar.awaitPluginExit(installed);
            refusedBackup(plakar, repo);
            plakar.awaitPluginExit(installed);

            List<Long> client = measure(() -> refusedBackup(plakar, repo));
            List<Long> clientAlone = measure(() -> timed(() -> plakar.run("at", repo.toString(), "ls").ok()));
            List<Long> host = measure(() -> hostSpawnToInit(installed.resolve("proxmoxImporter")));
            print("plakar backup, Init refused (wall)", client);
            print("plakar ls on the same repository (wall)", clientAlone);
            System.out.printf("spawn-to-Init through the real client (difference of medians): %d ms%n",
                    median(client) - median(clientAlone));
            print("spawn-to-Init, installed proxmoxImporter, test host", host);
        } finally {
            Cmd.run(List.of("rm", "-rf", tmp.toString()), Map.of("PATH", System.getenv("PATH")), Path.of("/"),
                    java.time.Duration.ofSeconds(60));
        }
    }

    private static long refusedBackup(PlakarHome plakar, Path repo) {
        return timed(() -> {
            Cmd.Result r = plakar.run("at", repo.toString(), "backup", "-o", "mode=local", "-o", "startup_bench=1",
                    "proxmox+backup://localhost");
            if (!r.stderr().contains("unknown option \"startup_bench\"")) {
                throw new IllegalStateException("expected Init to refuse the config:\n" + r);
            }
            if (r.stderr().contains("[warning]") || r.stderr().contains("VM warning")) {
                throw new IllegalStateException("a JVM line reached the terminal:\n" + r);
            }
        });
    }

    private static long hostSpawnToInit(Path exe) {
        try (PluginProcess p = PluginProcess.spawn(exe, Map.of())) {
            try {
                p.importer().init("proxmox+backup", Map.of("mode", "local", "startup_bench", "1"));
            } catch (RuntimeException expected) {
                // the config error is the answer we time
            }
            return (System.nanoTime() - p.spawnNanos()) / 1_000_000;
        }
    }

    private static long timed(Runnable r) {
        long t0 = System.nanoTime();
        r.run();
        return (System.nanoTime() - t0) / 1_000_000;
    }

    private static List<Long> measure(LongSupplier run) {
        List<Long> ms = new ArrayList<>();
        for (int i = 0; i < RUNS; i++) {
            ms.add(run.getAsLong());
        }
        Collections.sort(ms);
        return ms;
    }

    private static long median(List<Long> sorted) {
        return sorted.get(sorted.size() / 2);
    }

    private static void print(String label, List<Long> sorted) {
        System.out.printf("%-55s median %4d ms (min %d, max %d, n=%d)%n", label, median(sorted), sorted.get(0),
                sorted.get(sorted.size() - 1), sorted.size());
    }
}
