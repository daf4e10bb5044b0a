package io.plakar.pve.plugin.bench;

import io.plakar.pve.testkit.host.PluginProcess;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * Starts each packaged connector once through the test host (Init with an invalid config,
 * which exercises config parsing and the gRPC stack without touching any system), so the
 * launcher's {@code -XX:ArchiveClassesAtExit} can record the classes a real start loads.
 */
public final class CdsTrainer {
    public static void main(String[] args) {
        Path dist = Path.of(args[0]);
        String opts = System.getenv("PLAKAR_PVE_JVM_OPTS");
        try (PluginProcess p = PluginProcess.spawn(dist.resolve("proxmoxImporter"), opts == null ? Map.of() : Map.of("PLAKAR_PVE_JVM_OPTS", opts))) {
            try {
                p.importer().init("proxmox+backup", Map.of("mode", "local", "vmid", "100", "cds_training", "1"));
            } catch (RuntimeException expected) {
                // the unknown key is refused: that is the point, nothing runs
            }
            p.closeAndWait(Duration.ofSeconds(30));
        }
    }
}
