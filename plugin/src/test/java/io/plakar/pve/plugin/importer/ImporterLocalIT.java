package io.plakar.pve.plugin.importer;

import io.grpc.StatusRuntimeException;
import io.plakar.pve.testkit.host.BackupOptions;
import io.plakar.pve.testkit.host.PluginProcess;
import io.plakar.pve.testkit.host.Snapshot;
import io.plakar.pve.testkit.sim.SimulatedCluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.plakar.pve.plugin.importer.ImporterItSupport.backup;
import static io.plakar.pve.plugin.importer.ImporterItSupport.cfg;
import static io.plakar.pve.plugin.importer.ImporterItSupport.decompressedSha;
import static io.plakar.pve.plugin.importer.ImporterItSupport.entryFor;
import static io.plakar.pve.plugin.importer.ImporterItSupport.reference;
import static io.plakar.pve.plugin.importer.ImporterItSupport.sha;
import static io.plakar.pve.plugin.importer.ImporterItSupport.spawn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The packaged proxmoxImporter in mode=local, against the simulator on PATH. */
class ImporterLocalIT {
    SimulatedCluster node;
    Path dumpDir;

    @BeforeEach
    void setUp() throws Exception {
        node = ImporterItSupport.node();
        dumpDir = node.newDumpDir("dump");
    }

    @AfterEach
    void tearDown() {
        node.close();
    }

    Map<String, String> local(String... kv) {
        Map<String, String> m = cfg("mode", "local", "dump_dir", dumpDir.toString());
        m.putAll(cfg(kv));
        return m;
    }

    Snapshot run(Map<String, String> config, BackupOptions o) {
        try (PluginProcess p = spawn(node.env())) {
            return backup(p, config, o);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "gzip", "lzo", "zstd"})
    void dumpsVmAndContainerWithEachCompression(String compress, @TempDir Path store) throws Exception {
        Snapshot s = run(local("vmid", "100,101", "backup_compression", compress), BackupOptions.defaults().storeContent(store));
        assertEquals("", s.importError());
        assertEquals(2, s.entries().size(), s.toString());
        String ext = switch (compress) {
            case "gzip" -> ".gz";
            case "lzo" -> ".lzo";
            case "zstd" -> ".zst";
            default -> "";
        };
        Snapshot.Entry vm = entryFor(s, "/vzdump-qemu-100-").orElseThrow();
        Snapshot.Entry ct = entryFor(s, "/vzdump-lxc-101-").orElseThrow();
        assertTrue(vm.path().matches("/vzdump-qemu-100-\\d{4}_\\d\\d_\\d\\d-\\d\\d_\\d\\d_\\d\\d\\.vma" + ext.replace(".", "\\.")), vm.path());
        assertTrue(ct.path().matches("/vzdump-lxc-101-\\d{4}_\\d\\d_\\d\\d-\\d\\d_\\d\\d_\\d\\d\\.tar" + ext.replace(".", "\\.")), ct.path());
        for (Snapshot.Entry e : List.of(vm, ct)) {
            assertTrue(e.ok(), e.toString());
            assertEquals(0600, e.record().getFileInfo().getMode());
            assertEquals(-1, e.record().getFileInfo().getSize());
        }
        for (int vmid : new int[] {100, 101}) {
            Snapshot.Entry e = vmid == 100 ? vm : ct;
            byte[] ref = reference(node, vmid, compress, dumpDir);
            if (!compress.equals("lzo")) { // lzop stamps the time into its header: compare the payload instead
                assertEquals(sha(ref), e.sha256(), "archive bytes of " + vmid);
            }
            byte[] plain = reference(node, vmid, "0", dumpDir);
            assertEquals(sha(plain), decompressedSha(e.contentFile()), "decompressed archive of " + vmid);
        }
        assertTrue(node.listDumpDir(dumpDir).isEmpty(), "stream transport leaves nothing in dump_dir");
        List<String> argv = node.auditArgv("vzdump").get(0);
        assertEquals(List.of("vzdump", "100", "--stdout", "1", "--mode", "snapshot", "--compress", compress),
                argv.subList(0, 8));
    }

    @Test
    void invalidConfigIsRefusedBeforeAnyCommand() throws Exception {
        try (PluginProcess p = spawn(node.env())) {
            var c = p.importer();
            String none = assertThrows(StatusRuntimeException.class, () -> c.init("proxmox+backup", local()))
                    .getStatus().getDescription();
            assertTrue(none.contains("no guests selected"), none);
            String two = assertThrows(StatusRuntimeException.class,
                    () -> c.init("proxmox+backup", local("vmid", "100", "all", "true"))).getStatus().getDescription();
            assertTrue(two.contains("several selections"), two);
            String exclude = assertThrows(StatusRuntimeException.class,
                    () -> c.init("proxmox+backup", local("vmid", "100", "exclude", "101"))).getStatus().getDescription();
            assertTrue(exclude.contains("exclude"), exclude);
            String bad = assertThrows(StatusRuntimeException.class, () -> c.init("proxmox+backup",
                    local("vmid", "10x", "backup_compression", "bzip2", "colour", "red"))).getStatus().getDescription();
            assertTrue(bad.contains("vmid: must be a VMID"), bad);
            assertTrue(bad.contains("backup_compression: must be one of 0, 1, gzip, lzo, zstd"), bad);
            assertTrue(bad.contains("unknown option \"colour\" (valid options: "), bad);
            assertTrue(bad.contains("backup_mode"), "valid keys listed: " + bad);
        }
        assertTrue(node.audit().isEmpty(), "no command may run for an invalid config: " + node.audit());
    }

    @Test
    void unknownVmidAndGuestOnAnotherNodeFailAloneOthersSucceed() {
        Snapshot s;
        String stderr;
        try (PluginProcess p = spawn(node.env())) {
            s = backup(p, local("vmid", "100,555,102"), BackupOptions.defaults());
            stderr = p.stderr();
        }
        // the closing summary tells the administrator what was and was not backed up
        assertTrue(stderr.contains("backup summary: 1 of 3 guests dumped completely"), stderr);
        assertTrue(stderr.contains("NOT backed up: /vzdump-555"), stderr);
        assertEquals("", s.importError());
        assertTrue(entryFor(s, "/vzdump-qemu-100-").orElseThrow().ok(), s.toString());
        String unknown = s.get("/vzdump-555").recordError();
        assertTrue(unknown.contains("555") && unknown.contains("does not exist"), unknown);
        String other = s.get("/vzdump-qemu-102").recordError();
        assertTrue(other.contains("pve2") && other.contains("mode=local"), other);
    }

    @Test
    void poolAndAllSelections() {
        Snapshot pool = run(local("pool", "prod", "exclude", "101"), BackupOptions.defaults());
        assertEquals(1, pool.entries().size(), pool.toString());
        assertTrue(entryFor(pool, "/vzdump-qemu-100-").orElseThrow().ok());
        Snapshot all = run(local("all", "true", "node", "pve1"), BackupOptions.defaults());
        // template 9000 skipped, 102 lives on pve2 (filtered out by node=pve1)
        assertEquals(2, all.entries().size(), all.toString());
        assertTrue(all.entries().stream().allMatch(Snapshot.Entry::ok), all.toString());
    }

    @Test
    void failureMidStreamFailsThatFileWithVzdumpsMessage() {
        node.fault("vzdump", 100, "fail_after_bytes", "bytes", 3 << 20, "message", "disk read error at sector 42");
        Snapshot s = run(local("vmid", "100,101"), BackupOptions.defaults());
        Snapshot.Entry vm = entryFor(s, "/vzdump-qemu-100-").orElseThrow();
        assertFalse(vm.ok());
        assertTrue(vm.openError().contains("VM 100") && vm.openError().contains("disk read error at sector 42"), vm.openError());
        assertTrue(entryFor(s, "/vzdump-lxc-101-").orElseThrow().ok(), s.toString());
    }

    @Test
    void killedVzdumpFailsTheFile() {
        node.fault("vzdump", 100, "kill_after_bytes", "bytes", 1 << 20);
        Snapshot s = run(local("vmid", "100"), BackupOptions.defaults());
        Snapshot.Entry vm = entryFor(s, "/vzdump-qemu-100-").orElseThrow();
        assertFalse(vm.ok(), s.toString());
        assertTrue(vm.openError().contains("VM 100"), vm.openError());
    }

    @Test
    void silentSkipAndVanishedGuestBecomeFailedRecords() {
        node.fault("vzdump", 100, "silent_skip");
        node.fault("vzdump", 101, "vanish");
        Snapshot s = run(local("vmid", "100,101"), BackupOptions.defaults());
        String skip = s.get("/vzdump-qemu-100").recordError();
        assertTrue(skip.contains("without producing an archive"), skip);
        String gone = s.get("/vzdump-lxc-101").recordError();
        assertTrue(gone.contains("unable to find VM '101'"), gone);
    }

    @Test
    void refusedStdoutFallsBackToDumpDirAndCleansUp(@TempDir Path store) throws Exception {
        node.fault("vzdump", 100, "refuse_stdout");
        Snapshot s = run(local("vmid", "100", "backup_compression", "zstd"), BackupOptions.defaults().storeContent(store));
        Snapshot.Entry vm = entryFor(s, "/vzdump-qemu-100-").orElseThrow();
        assertTrue(vm.ok(), s.toString());
        assertTrue(vm.path().endsWith(".vma.zst"));
        node.clearFaults();
        assertEquals(sha(reference(node, 100, "zstd", dumpDir)), vm.sha256());
        waitForEmpty();
        assertTrue(node.listDumpDir(dumpDir).isEmpty(), "dump removed after the ack: " + node.listDumpDir(dumpDir));
    }

    @Test
    void dumpdirTransportKeepsTheFileWithoutCleanup() throws Exception {
        Snapshot s = run(local("vmid", "101", "transport", "dumpdir", "cleanup", "false"), BackupOptions.defaults());
        assertTrue(entryFor(s, "/vzdump-lxc-101-").orElseThrow().ok(), s.toString());
        assertTrue(node.listDumpDir(dumpDir).stream().anyMatch(p -> p.getFileName().toString().endsWith(".tar")),
                node.listDumpDir(dumpDir).toString());
    }

    @Test
    void cancelMidOpenAndAckWithoutOpenKillVzdump() throws Exception {
        node.updateGuest(100, g -> g.diskBytes(256L << 20));
        node.fault("vzdump", 100, "slow", "delay_ms", 20);
        Snapshot s = run(local("vmid", "100"), BackupOptions.defaults().cancelOpen(p -> true, 2 << 20));
        assertFalse(entryFor(s, "/vzdump-qemu-100-").orElseThrow().ok(), s.toString());
        ImporterItSupport.waitNoVzdump(node);
        assertTrue(ImporterItSupport.liveVzdumps(node).isEmpty(), "vzdump left running after cancel");

        // a killed vzdump leaves the guest locked, as on a real node
        node.updateGuest(100, g -> g.lock(null));
        Snapshot skipped = run(local("vmid", "100"), BackupOptions.defaults().skipOpen(p -> true));
        assertFalse(entryFor(skipped, "/vzdump-qemu-100-").orElseThrow(() -> new AssertionError(skipped.toString())).opened());
        ImporterItSupport.waitNoVzdump(node);
        assertTrue(ImporterItSupport.liveVzdumps(node).isEmpty(), "vzdump left running after an ack without open");
    }

    private void waitForEmpty() throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!node.listDumpDir(dumpDir).isEmpty() && System.nanoTime() < end) {
            Thread.sleep(100);
        }
    }
}
