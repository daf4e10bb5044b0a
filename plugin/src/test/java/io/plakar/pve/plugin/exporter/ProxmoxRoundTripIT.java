package io.plakar.pve.plugin.exporter;

import io.plakar.pve.proto.connectors.Result;
import io.plakar.pve.testkit.host.BackupOptions;
import io.plakar.pve.testkit.host.ExporterClient;
import io.plakar.pve.testkit.host.ImporterClient;
import io.plakar.pve.testkit.host.PluginProcess;
import io.plakar.pve.testkit.host.Snapshot;
import io.plakar.pve.testkit.sim.SimulatedCluster;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.plakar.pve.plugin.exporter.ExporterFixture.*;
import static org.junit.jupiter.api.Assertions.*;

/** Backup with the packaged proxmoxImporter, restore with the packaged proxmoxExporter: staged bytes = dumped bytes. */
class ProxmoxRoundTripIT {

    @Test
    void importThenExportStagesTheIdenticalBytes() throws Exception {
        try (SimulatedCluster node = SimulatedCluster.create()) {
            Path store = Files.createDirectories(node.tempRoot().resolve("snapshot"));
            Snapshot snap;
            try (PluginProcess p = PluginProcess.spawn(Path.of(System.getProperty("plugin.dist"), "proxmoxImporter"), node.env())) {
                ImporterClient c = p.importer();
                c.init("proxmox+backup", Map.of("location", "proxmox+backup://localhost", "mode", "local",
                        "node", node.localNode(), "vmid", "100", "backup_compression", "zstd",
                        "dump_dir", node.newDumpDir("import").toString()));
                snap = c.backup(BackupOptions.defaults().storeContent(store));
                c.close();
                p.closeAndWait(Duration.ofSeconds(20));
            }
            Snapshot.Entry dump = snap.entries().stream().filter(e -> e.ok() && e.contentFile() != null)
                    .filter(e -> e.path().contains("vzdump-qemu-100-")).findFirst()
                    .orElseThrow(() -> new AssertionError("no dump in " + snap));
            node.removeGuest(100);
            Path dumpDir = node.newDumpDir("roundtrip");
            List<Result> results;
            String stderr;
            try (PluginProcess p = PluginProcess.spawn(exporterExecutable(), node.env())) {
                ExporterClient c = p.exporter();
                c.init("proxmox+backup", localConfig(node, dumpDir, "cleanup", "false"));
                results = c.restore(snap);
                c.close();
                p.closeAndWait(Duration.ofSeconds(20));
                stderr = p.stderr();
            }
            for (Result r : results) {
                assertEquals("", r.getError(), r.getHeader().getPathname() + "\n" + stderr);
            }
            List<Path> staged = node.listDumpDir(dumpDir);
            assertEquals(1, staged.size(), staged.toString());
            assertEquals(dump.sha256(), sha256(Files.readAllBytes(staged.get(0))));
            assertEquals(sha256(uncompressed(Files.readAllBytes(dump.contentFile()), "zstd")),
                    restoresFor(node, 100).get(0).get("sha256_uncompressed"));
        }
    }
}
