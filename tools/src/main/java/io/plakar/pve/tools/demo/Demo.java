package io.plakar.pve.tools.demo;

import io.plakar.pve.proto.connectors.Result;
import io.plakar.pve.testkit.host.BackupOptions;
import io.plakar.pve.testkit.host.ExportItem;
import io.plakar.pve.testkit.host.PluginProcess;
import io.plakar.pve.testkit.host.Snapshot;
import io.plakar.pve.testkit.sim.SimulatedCluster;
import io.plakar.pve.testkit.sim.LoopbackSshd;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code make demo}: what an administrator would see, end to end, through the real plugin
 * executables driven exactly as plakar drives them, against the bundled Proxmox simulator
 * (fake node tools behind a real OpenSSH server on 127.0.0.1):
 * a remote backup of a VM and a container, the snapshot's listing, a restore of the VM
 * under a new VMID, and a PBS audit report.
 */
public final class Demo {
    public static void main(String[] args) throws Exception {
        Path dist = Path.of(System.getProperty("plugin.dist", "plugin/target/dist"));
        long t0 = System.nanoTime();
        java.util.Optional<Path> plakar = io.plakar.pve.tools.plakar.PlakarLocator.users();
        if (plakar.isPresent()) {
            System.out.println("demo through your plakar: " + plakar.get());
            RealPlakarDemo.run(plakar.get(), Path.of(System.getProperty("plugin.package", "plugin/target/package")));
            System.out.printf("%ndemo finished in %.1f s%n", (System.nanoTime() - t0) / 1e9);
            return;
        }
        System.out.println("no plakar on PATH (nor PLAKAR=/path): demo through the bundled test host, which drives"
                + " the plugin executables as plakar does");
        Path work = Files.createTempDirectory("plakar-pve-demo");
        try (SimulatedCluster node = SimulatedCluster.create("demo"); LoopbackSshd sshd = LoopbackSshd.start(node)) {
            banner("Proxmox simulator: node " + node.localNode() + ", sshd on " + sshd.host() + ":" + sshd.port()
                    + " (host key " + sshd.hostKeyFingerprint() + ")");
            node.guests().forEach(g -> System.out.printf("  %-4s %-6d %-14s %-8s node %s, %d MiB%s%n",
                    g.isQemu() ? "VM" : "CT", g.vmid, g.name, g.status, g.node, g.diskBytes >> 20,
                    g.template == 1 ? " (template)" : ""));

            Map<String, String> connection = new HashMap<>();
            connection.put("location", "proxmox+backup://" + sshd.host());
            connection.put("mode", "remote");
            connection.put("conn_method", "identity");
            connection.put("conn_username", sshd.username());
            connection.put("conn_identity_file", sshd.identityFile().toString());
            connection.put("conn_port", String.valueOf(sshd.port()));
            connection.put("ssh_known_hosts", sshd.knownHostsFile().toString());
            connection.put("dump_dir", node.newDumpDir("restore-staging").toString());

            banner("plakar backup -o vmid=100,101 @pve   (remote mode, streaming vzdump over SSH)");
            Map<String, String> backupConfig = new HashMap<>(connection);
            backupConfig.put("dump_dir", node.localDumpDir().toString()); // /var/lib/vz/dump on a real node
            backupConfig.put("vmid", "100,101");
            Path store = work.resolve("snapshot");
            Snapshot snapshot;
            try (PluginProcess p = PluginProcess.spawn(dist.resolve("proxmoxImporter"), Map.of())) {
                p.importer().init("proxmox+backup", backupConfig);
                snapshot = p.importer().backup(BackupOptions.defaults().storeContent(store));
                p.importer().close();
                p.closeAndWait(Duration.ofSeconds(30));
            }

            banner("plakar ls <snapshot>");
            for (Snapshot.Entry e : snapshot.entries()) {
                System.out.printf("  %-50s %12s  %s%n", e.path(), e.ok() ? e.size() + " B" : "FAILED",
                        e.ok() ? "sha256 " + e.sha256().substring(0, 16) + "…" : e.recordError() + e.openError());
            }
            Snapshot.Entry vm = snapshot.entries().stream().filter(e -> e.path().startsWith("/vzdump-qemu-100-"))
                    .findFirst().orElseThrow(() -> new IllegalStateException("no VM 100 dump in the snapshot"));

            banner("plakar restore -o newid=200 -to @pve <snapshot>:" + vm.path());
            Map<String, String> restoreConfig = new HashMap<>(connection);
            restoreConfig.put("newid", "200");
            List<Result> results;
            try (PluginProcess p = PluginProcess.spawn(dist.resolve("proxmoxExporter"), Map.of())) {
                p.exporter().init("proxmox+backup", restoreConfig);
                List<ExportItem> items = new ArrayList<>();
                items.add(ExportItem.directory("/"));
                items.add(ExportItem.file(vm.path(), vm.size(), Instant.now(), () -> open(vm.contentFile())));
                results = p.exporter().export(items);
                p.exporter().close();
                p.closeAndWait(Duration.ofSeconds(30));
            }
            for (Result r : results) {
                System.out.printf("  %-50s %s%n", r.getHeader().getPathname(), r.getError().isEmpty() ? "OK" : "FAILED: " + r.getError());
            }
            System.out.println("  qm status 200 on the node: " + node.run("qm", "status", "200").stdoutText().strip());
            for (Map<String, Object> r : node.restores()) {
                boolean same = vm.sha256().equals(r.get("sha256_uncompressed"));
                System.out.printf("  qmrestore read %s bytes, sha256 %s the backed-up dump (options %s)%n",
                        r.get("bytes_read"), same ? "identical to" : "DIFFERENT FROM", r.get("options"));
            }

            DemoAudit.run(dist);
        } finally {
            deleteTree(work);
        }
        System.out.printf("%ndemo finished in %.1f s%n", (System.nanoTime() - t0) / 1e9);
    }

    static InputStream open(Path p) {
        try {
            return Files.newInputStream(p);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static void banner(String s) {
        System.out.println();
        System.out.println("==> " + s);
    }

    static void deleteTree(Path p) throws java.io.IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (var walk = Files.walk(p)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(x -> x.toFile().delete());
        }
    }
}
