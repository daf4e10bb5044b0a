package io.plakar.pve.plugin.exporter;

import io.plakar.pve.testkit.host.ExportItem;
import io.plakar.pve.testkit.host.PluginProcess;
import io.plakar.pve.testkit.sim.SimulatedCluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static io.plakar.pve.plugin.exporter.ExporterFixture.*;
import static org.junit.jupiter.api.Assertions.*;

/** The packaged proxmoxExporter in mode=local on the simulated node. */
class ProxmoxExporterLocalIT {
    private SimulatedCluster node;
    private Path dumpDir;

    @BeforeEach
    void setUp() throws Exception {
        node = SimulatedCluster.create();
        dumpDir = node.newDumpDir("restore");
    }

    @AfterEach
    void tearDown() {
        node.close();
    }

    @Test
    void fullSnapshotWithVmAndCtIsRestoredAndCleanedUp() throws Exception {
        byte[] vm = vzdump(node, 100, "zstd");
        byte[] ct = vzdump(node, 101, "zstd");
        node.removeGuest(100).removeGuest(101);
        String vmPath = "/" + name("qemu", 100, "vma.zst");
        String ctPath = "/" + name("lxc", 101, "tar.zst");
        Run run = export(node, localConfig(node, dumpDir), List.of(ExportItem.directory("/"),
                file(ctPath, ct), file(vmPath, vm), file("/README.txt", "hello".getBytes(StandardCharsets.UTF_8))));
        assertEquals("", run.exportError());
        assertEquals("", run.error(vmPath), run.stderr());
        assertEquals("", run.error(ctPath), run.stderr());
        assertEquals("", run.error("/README.txt"));
        assertEquals(4, run.results().size());
        assertEquals(sha256(uncompressed(vm, "zstd")), restoresFor(node, 100).get(0).get("sha256_uncompressed"));
        assertEquals(sha256(uncompressed(ct, "zstd")), restoresFor(node, 101).get(0).get("sha256_uncompressed"));
        // the container went back to the storage of its own rootfs (pct's default 'local' cannot hold it)
        List<String> pct = node.auditArgv("pct").stream().filter(a -> a.size() > 1 && a.get(1).equals("restore"))
                .findFirst().orElseThrow();
        assertEquals(List.of("pct", "restore", "101"), pct.subList(0, 3));
        assertTrue(pct.containsAll(List.of("--storage", "local-lvm")), pct.toString());
        // the VMIDs are free: Proxmox's own "already exists" check stays on (no --force)
        assertFalse(pct.contains("--force"), pct.toString());
        List<String> qm = node.auditArgv("qmrestore").get(0);
        assertEquals("qmrestore", qm.get(0));
        assertTrue(qm.get(1).matches(java.util.regex.Pattern.quote(dumpDir.toString())
                + "/\\.plakar-[0-9a-f]{16}/vzdump-qemu-100-.*"), "staged in a private directory of dump_dir: " + qm);
        assertEquals(List.of("100"), qm.subList(2, qm.size()));
        assertTrue(node.listDumpDir(dumpDir).isEmpty(), "cleanup=true leaves dump_dir empty");
        assertTrue(run.stderr().contains("done,") && run.stderr().contains("MB/s"), run.stderr());
        assertTrue(run.stderr().contains("README.txt: skipped"), run.stderr());
    }

    @Test
    void existingGuestIsRefusedUntouchedThenForcedAndStartedAgain() throws Exception {
        byte[] vm = vzdump(node, 100, "zstd");
        node.updateGuest(100, g -> g.running());
        String path = "/" + name("qemu", 100, "vma.zst");
        Run refused = export(node, localConfig(node, dumpDir), List.of(file(path, vm)));
        String err = refused.error(path);
        assertTrue(err.contains("VM 100 already exists (running)"), err);
        assertTrue(err.contains("newid=103") && err.contains("force_vm_restore=true"), err);
        assertTrue(node.auditArgv("qmrestore").isEmpty());
        assertTrue(node.auditArgv("qm").stream().noneMatch(a -> a.get(1).equals("stop")));
        assertTrue(node.listDumpDir(dumpDir).isEmpty());

        Run forced = export(node, localConfig(node, dumpDir, "force_vm_restore", "true"), List.of(file(path, vm)));
        assertEquals("", forced.error(path), forced.stderr());
        List<String> verbs = node.auditArgv("qm").stream().map(a -> a.get(1)).collect(Collectors.toList());
        // the guest's OS is asked to shut down first (no power cut), then it is started again
        assertTrue(verbs.indexOf("shutdown") >= 0 && verbs.lastIndexOf("start") > verbs.indexOf("shutdown"), verbs.toString());
        assertTrue(node.auditArgv("qmrestore").get(0).containsAll(List.of("--force", "1")), "overwrite asked for: --force");
        assertEquals("running", node.guest(100).status);
    }

    @Test
    void stoppedContainerForcedStaysStopped() throws Exception {
        byte[] ct = vzdump(node, 101, "gzip");
        node.updateGuest(101, g -> g.stopped());
        String path = "/" + name("lxc", 101, "tar.gz");
        Run refused = export(node, localConfig(node, dumpDir), List.of(file(path, ct)));
        assertTrue(refused.error(path).contains("CT 101 already exists (stopped)"), refused.error(path));
        Run forced = export(node, localConfig(node, dumpDir, "force_vm_restore", "1"), List.of(file(path, ct)));
        assertEquals("", forced.error(path), forced.stderr());
        assertTrue(node.auditArgv("pct").stream().noneMatch(a -> a.get(1).equals("start")));
    }

    @Test
    void newIdStoragePoolAndOneGuestOnly() throws Exception {
        byte[] vm = vzdump(node, 100, "zstd");
        byte[] ct = vzdump(node, 101, "zstd");
        String vmPath = "/" + name("qemu", 100, "vma.zst");
        String ctPath = "/" + name("lxc", 101, "tar.zst");
        Run run = export(node, localConfig(node, dumpDir, "newid", "250", "storage", "local-lvm", "pool", "prod"),
                List.of(file(ctPath, ct), file(vmPath, vm)));
        assertEquals("", run.error(ctPath), run.stderr());
        assertTrue(run.error(vmPath).contains("newid=250 applies to exactly one guest"), run.error(vmPath));
        List<String> pct = node.auditArgv("pct").stream().filter(a -> a.get(1).equals("restore")).findFirst().orElseThrow();
        assertEquals("250", pct.get(2));
        assertTrue(String.join(" ", pct).endsWith(" --storage local-lvm --pool prod --unique 1"), pct.toString());
        assertFalse(pct.contains("--force"), "VMID 250 is free: no --force " + pct);
        assertTrue(node.auditArgv("qmrestore").isEmpty());
    }

    @Test
    void failedRestoreRemovesTheStagedFileAndCarriesTheToolError() throws Exception {
        byte[] vm = vzdump(node, 100, "zstd");
        node.removeGuest(100);
        node.fault("qmrestore", 100, "fail_after_bytes", "bytes", 4096);
        String path = "/" + name("qemu", 100, "vma.zst");
        Run run = export(node, localConfig(node, dumpDir), List.of(file(path, vm)));
        String err = run.error(path);
        assertTrue(err.contains("qmrestore of VM 100 failed"), err);
        assertTrue(err.contains("qm destroy 100"), err);
        assertTrue(node.listDumpDir(dumpDir).isEmpty(), "the staged dump is removed after a failure");
    }

    @Test
    void hostileNamesAreRefusedAndNothingIsWrittenOutsideDumpDir() throws Exception {
        byte[] vm = vzdump(node, 100, "0");
        node.removeGuest(100);
        Path parent = dumpDir.getParent();
        List<String> before = listTree(parent);
        String ok = name("qemu", 100, "vma");
        List<String> hostile = List.of(
                "/../" + ok,
                "/backup/../../" + ok,
                "/backup/qemu/101_web/" + ok,                        // vmid contradicts its directory
                "/backup/lxc/100_web/" + ok,                         // type contradicts its directory
                "/a\u0000b/" + ok,
                "/" + "x".repeat(300) + "/" + ok,
                "/" + ok + "/../../etc/passwd",
                "/vzdump-qemu-100-2026_02_10-02_00_00.vma.xz",        // not a format Proxmox restores
                "/vzdump-lxc-100-2026_02_10-02_00_00.vma");          // format contradicts type
        List<ExportItem> items = hostile.stream().map(p -> file(p, vm)).collect(Collectors.toList());
        Run run = export(node, localConfig(node, dumpDir), items);
        assertEquals(hostile.size(), run.results().size(), run.stderr());
        for (int i = 0; i < 7; i++) {
            String e = run.results().get(i).getError();
            assertTrue(e.startsWith("refused snapshot path"), hostile.get(i) + " -> " + e);
        }
        assertEquals("", run.results().get(7).getError());
        assertEquals("", run.results().get(8).getError());
        assertTrue(node.auditArgv("qmrestore").isEmpty());
        assertEquals(before, listTree(parent));
    }

    @Test
    void streamingRestoreFeedsQmrestoreTheUncompressedDump() throws Exception {
        for (String c : List.of("0", "zstd", "gzip")) {
            byte[] vm = vzdump(node, 100, c);
            node.removeGuest(100);
            String ext = switch (c) { case "zstd" -> "vma.zst"; case "gzip" -> "vma.gz"; default -> "vma"; };
            String path = "/" + name("qemu", 100, ext);
            Run run = export(node, localConfig(node, dumpDir, "restore_transport", "stream"), List.of(file(path, vm)));
            assertEquals("", run.error(path), run.stderr());
            List<Map<String, Object>> r = restoresFor(node, 100);
            Map<String, Object> last = r.get(r.size() - 1);
            assertEquals("-", last.get("archive"), last.toString());
            assertEquals(sha256(uncompressed(vm, c)), last.get("sha256_uncompressed"), c);
            assertTrue(node.listDumpDir(dumpDir).isEmpty());
        }
    }

    @Test
    void streamingFailureMidStreamReportsWhatProxmoxLeaves() throws Exception {
        byte[] vm = vzdump(node, 100, "zstd");
        node.removeGuest(100);
        node.fault("qmrestore", 100, "fail_after_bytes", "bytes", 65536);
        String path = "/" + name("qemu", 100, "vma.zst");
        Run run = export(node, localConfig(node, dumpDir, "restore_transport", "stream"), List.of(file(path, vm)));
        String err = run.error(path);
        assertTrue(err.contains("streaming restore of VM 100 failed"), err);
        assertTrue(err.contains("qm destroy 100") && err.contains("force_vm_restore=true"), err);
    }

    @Test
    void referenceLayoutUsesThePoolSidecar() throws Exception {
        byte[] vm = vzdump(node, 100, "zstd");
        byte[] ct = vzdump(node, 101, "zstd");
        node.removeGuest(100).removeGuest(101);
        String vmDir = "/backup/qemu/100_web01";
        String ctDir = "/backup/lxc/101_dns01";
        String vmDump = vmDir + "/" + name("qemu", 100, "vma.zst");
        String ctDump = ctDir + "/" + name("lxc", 101, "tar.zst");
        byte[] conf = "cores: 1\n".getBytes(StandardCharsets.UTF_8);
        List<ExportItem> items = List.of(ExportItem.directory("/"), ExportItem.directory("/backup"),
                ExportItem.directory("/backup/lxc"), ExportItem.directory(ctDir),
                file(ctDump, ct), file(ctDump + "_lxc.conf", conf), file(ctDump + "_pool.conf", "prod\n".getBytes()),
                ExportItem.directory("/backup/qemu"), ExportItem.directory(vmDir),
                file(vmDump, vm), file(vmDump + "_pool.conf", "prod\n".getBytes()), file(vmDump + "_qemu.conf", conf));
        Run run = export(node, localConfig(node, dumpDir), items);
        for (var r : run.results()) {
            assertEquals("", r.getError(), r.getHeader().getPathname() + "\n" + run.stderr());
        }
        assertEquals(items.size(), run.results().size());
        String qm = String.join(" ", node.auditArgv("qmrestore").get(0));
        assertTrue(qm.contains(" 100 --pool prod"), qm);
        String pct = node.auditArgv("pct").stream().filter(a -> a.get(1).equals("restore")).map(a -> String.join(" ", a))
                .findFirst().orElseThrow();
        assertTrue(pct.contains("--pool prod"), pct);
        assertTrue(node.listDumpDir(dumpDir).isEmpty());
    }

    @Test
    void referenceLayoutFailureIsTheResultOfTheDumpItself() throws Exception {
        byte[] vm = vzdump(node, 100, "zstd");
        node.removeGuest(100);
        node.fault("qmrestore", 100, "fail_before");
        String vmDir = "/backup/qemu/100_web01";
        String vmDump = vmDir + "/" + name("qemu", 100, "vma.zst");
        byte[] conf = "cores: 1\n".getBytes(StandardCharsets.UTF_8);
        List<ExportItem> items = List.of(ExportItem.directory("/"), ExportItem.directory(vmDir),
                file(vmDump, vm), file(vmDump + "_pool.conf", "prod\n".getBytes()), file(vmDump + "_qemu.conf", conf));
        Run run = export(node, localConfig(node, dumpDir), items);
        assertEquals(items.size(), run.results().size(), "one result per record");
        for (var r : run.results()) {
            boolean isDump = r.getHeader().getPathname().equals(vmDump);
            assertEquals(isDump, !r.getError().isEmpty(), r.getHeader().getPathname() + ": " + r.getError());
        }
        assertTrue(node.listDumpDir(dumpDir).isEmpty(), "the staged file is cleaned up after the failure");
        assertTrue(run.stderr().contains("restore summary: 0 of 1 guests restored"), run.stderr());
        assertTrue(run.stderr().contains("NOT restored: " + vmDump), run.stderr());
    }

    @Test
    void localModeRefusesToRestoreForAnotherNode() throws Exception {
        byte[] vm = vzdump(node, 100, "0");
        node.removeGuest(100);
        String dump = "/" + name("qemu", 100, "vma");
        Run run = export(node, localConfig(node, dumpDir, "node", "pve2"),
                List.of(ExportItem.directory("/"), file(dump, vm)));
        String error = run.results().get(1).getError();
        assertTrue(error.contains("mode=local restores on this node (pve1)") && error.contains("mode=remote with node=pve2"), error);
        assertTrue(node.auditArgv("qmrestore").isEmpty(), "nothing may be restored on the wrong node");
        assertTrue(node.listDumpDir(dumpDir).isEmpty());
    }

    @Test
    void pingReachesTheNodeOrSaysWhyNot() {
        try (PluginProcess p = PluginProcess.spawn(exporterExecutable(), node.env())) {
            p.exporter().init("proxmox+backup", localConfig(node, dumpDir));
            p.exporter().ping();
        }
        Map<String, String> broken = new java.util.HashMap<>(node.env());
        broken.put("PVE_FAKE_STATE", node.tempRoot().resolve("no-such-state").toString());
        try (PluginProcess p = PluginProcess.spawn(exporterExecutable(), broken)) {
            p.exporter().init("proxmox+backup", localConfig(node, dumpDir));
            io.grpc.StatusRuntimeException e = org.junit.jupiter.api.Assertions.assertThrows(
                    io.grpc.StatusRuntimeException.class, () -> p.exporter().ping());
            assertEquals(io.grpc.Status.Code.UNAVAILABLE, e.getStatus().getCode());
            assertTrue(e.getStatus().getDescription().contains("is not usable"), e.getStatus().getDescription());
        }
    }

    private static List<String> listTree(Path root) throws Exception {
        try (Stream<Path> s = Files.walk(root)) {
            return s.map(Path::toString).sorted().collect(Collectors.toList());
        }
    }
}
