package io.plakar.pve.tools.demo;

import io.plakar.pve.testkit.host.BackupOptions;
import io.plakar.pve.testkit.host.PluginProcess;
import io.plakar.pve.testkit.host.Snapshot;
import io.plakar.pve.testkit.pbs.FakePbs;
import io.plakar.pve.testkit.pbs.Snap;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The PBS audit part of the demo: a bundled scenario served by the fake PBS over real HTTPS
 * (self-signed certificate, pinned): CT 200 backed up into the root namespace from two
 * nodes (a critical VMID collision), VM 100 in two namespaces (a warning), and a backup
 * still in progress.
 */
final class DemoAudit {
    private static final long T = 1714557600L; // 2024-05-01T10:00:00Z

    private DemoAudit() {
    }

    static void run(Path dist) throws Exception {
        Path store = Files.createTempDirectory("plakar-pve-demo-audit");
        try (FakePbs pbs = new FakePbs("audit@pbs!demo", "demo-secret")) {
            pbs.store("store1")
                    .add("", Snap.ct("200", T - 86_400, 1_200_000_000L).node("pve1").name("dns01"))
                    .add("", Snap.ct("200", T, 1_300_000_000L).node("pve2").name("mail01"))
                    .add("lab", Snap.vm("100", T, 34_359_738_368L).name("web01"))
                    .add("prod", Snap.vm("100", T + 3600, 34_359_738_368L).name("web01"))
                    .add("prod", Snap.vm("101", T + 7200, 8_589_934_592L).inProgress());
            pbs.start();
            Demo.banner("plakar backup pbs+audit://127.0.0.1:" + pbs.port() + "   (fake PBS over HTTPS, certificate pinned)");
            Map<String, String> config = new LinkedHashMap<>();
            config.put("location", "pbs+audit://127.0.0.1:" + pbs.port());
            config.put("token_id", "audit@pbs!demo");
            config.put("token_secret", "demo-secret");
            config.put("fingerprint", pbs.fingerprint());
            Snapshot snap;
            try (PluginProcess p = PluginProcess.spawn(dist.resolve("pbsAuditImporter"), Map.of())) {
                p.importer().init("pbs+audit", config);
                snap = p.importer().backup(BackupOptions.defaults().storeContent(store));
                p.importer().close();
                p.closeAndWait(Duration.ofSeconds(30));
            }
            snap.entries().forEach(e -> System.out.printf("  %-70s %8d B%s%n", e.path(), e.size(), e.ok() ? "" : "  FAILED"));
            Demo.banner("/report/report.txt of that snapshot");
            System.out.print(Files.readString(snap.get("/report/report.txt").contentFile()));
        } finally {
            Demo.deleteTree(store);
        }
    }
}
