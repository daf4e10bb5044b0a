package io.plakar.pve.plugin.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.StatusRuntimeException;
import io.plakar.pve.testkit.host.BackupOptions;
import io.plakar.pve.testkit.host.ImporterClient;
import io.plakar.pve.testkit.host.PluginProcess;
import io.plakar.pve.testkit.host.Snapshot;
import io.plakar.pve.testkit.pbs.FakePbs;
import io.plakar.pve.testkit.pbs.Snap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The packaged pbsAuditImporter, driven like {@code plakar backup pbs+audit://…}, against the fake PBS. */
class PbsAuditIT {
    private static final long BASE = 1714557600L;

    private static Path executable() {
        return Path.of(System.getProperty("plugin.dist", "plugin/target/dist"), "pbsAuditImporter");
    }

    private static Map<String, String> config(FakePbs pbs) {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("location", "pbs+audit://127.0.0.1:" + pbs.port());
        c.put("token_id", "audit@pbs!it");
        c.put("token_secret", "it-secret");
        c.put("fingerprint", pbs.fingerprint());
        return c;
    }

    @Test
    void backupRecordsEverySnapshotAndTheReports(@TempDir Path tmp) throws Exception {
        try (FakePbs pbs = new FakePbs("audit@pbs!it", "it-secret")) {
            pbs.store("store1")
                    .add("", Snap.ct("200", BASE - 3600, 1000).node("pve1"))
                    .add("", Snap.ct("200", BASE, 1000).node("pve2"))
                    .add("lab", Snap.vm("100", BASE, 2000))
                    .add("lab", Snap.vm("100", BASE + 60, 2000).inProgress());
            pbs.start();
            Snapshot snap;
            try (PluginProcess p = PluginProcess.spawn(executable(), Map.of())) {
                ImporterClient imp = p.importer();
                imp.init("pbs+audit", config(pbs));
                imp.ping();
                snap = imp.backup(BackupOptions.defaults().storeContent(tmp));
                imp.close();
            }
            assertEquals("", snap.importError());
            assertEquals(java.util.List.of(
                    "/datastores/store1/ns/@root/ct/200/2024-05-01T09:00:00Z.json",
                    "/datastores/store1/ns/@root/ct/200/2024-05-01T10:00:00Z.json",
                    "/datastores/store1/ns/lab/vm/100/2024-05-01T10:00:00Z.json",
                    "/datastores/store1/ns/lab/vm/100/2024-05-01T10:01:00Z.json",
                    "/datastores/store1/status.json",
                    "/report/collisions.json",
                    "/report/duplicates.json",
                    "/report/guests.json",
                    "/report/report.html",
                    "/report/report.txt",
                    "/report/summary.json"), snap.paths());
            for (Snapshot.Entry e : snap.entries()) {
                assertTrue(e.ok(), e.toString());
                assertEquals(e.record().getFileInfo().getSize(), e.size(), e.path());
            }
            ObjectMapper m = new ObjectMapper();
            JsonNode col = m.readTree(Files.readAllBytes(snap.get("/report/collisions.json").contentFile()));
            assertEquals(1, col.get("critical").asInt());
            assertEquals("200", col.at("/collisions/0/id").asText());
            JsonNode sum = m.readTree(Files.readAllBytes(snap.get("/report/summary.json").contentFile()));
            assertEquals(4, sum.at("/totals/snapshots").asInt());
            assertEquals(1, sum.at("/totals/snapshots_in_progress").asInt());
        }
    }

    @Test
    void wrongFingerprintFailsPingWithAClearMessage() {
        try (FakePbs pbs = new FakePbs("audit@pbs!it", "it-secret")) {
            pbs.start();
            Map<String, String> c = config(pbs);
            c.put("fingerprint", "00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff:00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff");
            try (PluginProcess p = PluginProcess.spawn(executable(), Map.of())) {
                ImporterClient imp = p.importer();
                imp.init("pbs+audit", c);
                StatusRuntimeException e = assertThrows(StatusRuntimeException.class, imp::ping);
                assertTrue(String.valueOf(e.getStatus().getDescription()).contains("does not match the configured fingerprint"),
                        e.toString());
                assertFalse(String.valueOf(e.getStatus().getDescription()).contains("it-secret"));
            }
        }
    }

    @Test
    void badConfigIsRefusedAtInit() {
        try (PluginProcess p = PluginProcess.spawn(executable(), Map.of())) {
            ImporterClient imp = p.importer();
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                    () -> imp.init("pbs+audit", Map.of("location", "pbs+audit://h", "token_id", "x", "token_secret", "hidden-1")));
            assertTrue(String.valueOf(e.getStatus().getDescription()).contains("token_id: must be an API token id"), e.toString());
            assertFalse(String.valueOf(e.getStatus().getDescription()).contains("hidden-1"));
        }
    }
}
