package io.plakar.pve.plugin.bench;

import io.plakar.pve.testkit.host.PluginProcess;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Spawn-to-Init latency of the packaged importer: the Maven-built dist on the system JDK,
 * and the self-contained dist/ (jlink runtime + class-data sharing archive) when it exists.
 * Init is answered with a config error, so nothing but start-up is measured.
 */
public final class StartupBench {
    public static void main(String[] args) {
        System.setProperty("testhost.quiet", "true");
        Path root = Path.of(System.getProperty("repo.root", "."));
        report("system JDK, no CDS archive (plugin/target/dist)", root.resolve("plugin/target/dist/proxmoxImporter"));
        Path packaged = root.resolve("dist/proxmoxImporter");
        if (Files.exists(packaged)) {
            report("jlink runtime + AppCDS (dist/)", packaged);
        }
        // a package installed elsewhere: the archive records the build path and is ignored there
        for (String other : args) {
            report("jlink runtime, moved to " + other, Path.of(other, "proxmoxImporter"));
        }
    }

    static void report(String label, Path exe) {
        List<Long> ms = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            try (PluginProcess p = PluginProcess.spawn(exe, Map.of())) {
                try {
                    p.importer().init("proxmox+backup", Map.of("mode", "local", "startup_bench", "1"));
                } catch (RuntimeException expected) {
                    // the config error is the answer we time
                }
                ms.add((System.nanoTime() - p.spawnNanos()) / 1_000_000);
            }
        }
        Collections.sort(ms);
        System.out.printf("spawn-to-Init, %-50s median %4d ms (min %d, max %d, n=9)%n", label, ms.get(4), ms.get(0), ms.get(8));
    }
}
