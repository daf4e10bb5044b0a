package io.plakar.pve.plugin.reliability;

import io.plakar.pve.proto.connectors.Result;
import io.plakar.pve.testkit.host.BackupOptions;
import io.plakar.pve.testkit.host.ExportAborter;
import io.plakar.pve.testkit.host.ExportItem;
import io.plakar.pve.testkit.host.Snapshot;
import io.plakar.pve.testkit.sim.SimulatedCluster;
import io.plakar.pve.testkit.sim.Guest;
import io.plakar.pve.testkit.sim.LoopbackSshd;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Never destroy what nobody asked to touch, against a node that follows Proxmox's semantics:
 * {@code --force} only for an asked-for overwrite, the shared dump_dir, TERM before KILL, checks
 * before a forced restore stops anything, no streaming over an existing guest, cancel during a
 * restore, owner-only staging, a dropped connection during the inventory, container archives
 * with pax headers. Every case drives the packaged executables.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SafetyIT {
    enum Mode { LOCAL, REMOTE }

    SimulatedCluster node;
    LoopbackSshd sshd;
    Path dumpDir;
    byte[] vm100;
    byte[] ct101;
    int tests;

    @BeforeAll
    void start() throws Exception {
        node = Rel.node();
        sshd = LoopbackSshd.start(node);
        vm100 = Rel.reference(node, 100, "zstd");
        ct101 = Rel.reference(node, 101, "zstd");
    }

    @AfterAll
    void stop() {
        sshd.close();
        node.close();
    }

    @BeforeEach
    void reset() {
        dumpDir = node.newDumpDir("safety-" + ++tests);
        node.clearFaults();
    }

    Map<String, String> config(Mode m, String... kv) {
        return m == Mode.LOCAL ? Rel.local(node, dumpDir, kv) : Rel.remote(sshd, dumpDir, kv);
    }

    Map<String, String> env(Mode m) {
        return m == Mode.LOCAL ? node.env() : Map.of();
    }

    String vmPath() {
        return "/" + Rel.dumpName("qemu", 100, "vma.zst");
    }

    String ctPath() {
        return "/" + Rel.dumpName("lxc", 101, "tar.zst");
    }

    static String error(List<Result> results, String path) {
        return results.stream().filter(r -> r.getHeader().getPathname().equals(path)).findFirst()
                .orElseThrow(() -> new AssertionError("no result for " + path + ": " + results)).getError();
    }

    List<Result> restore(Mode m, Map<String, String> config, ExportItem... items) {
        try (Rel.Plugin p = Rel.exporter(env(m), "safety restore " + m)) {
            List<Result> r = Rel.export(p, config, List.of(items));
            p.finish();
            return r;
        }
    }

    void resetGuests() {
        node.removeGuest(100).removeGuest(101);
        node.addGuest(Guest.qemu(100, "web01").running().pool("prod"));
        node.addGuest(Guest.lxc(101, "dns01").running().pool("prod"));
    }

    // ---------------------------------------------------------------- 1. --force only when asked

    /** A CT on another node holds VMID 100: a VM restore to 100 is refused, the CT is untouched. */
    @Test
    void aVmidTakenElsewhereInTheClusterIsNeverOverwritten() {
        node.removeGuest(100);
        node.addGuest(Guest.lxc(100, "other").node("pve2").stopped());
        List<String> volumesBefore = node.guest(100).volumes();
        int mark = node.auditArgv("qmrestore").size();
        List<Result> r = restore(Mode.LOCAL, config(Mode.LOCAL), Rel.file(vmPath(), vm100));
        String err = error(r, vmPath());
        assertTrue(err.contains("CT 100 already exists") && err.contains("newid=") && err.contains("force_vm_restore=true"), err);
        assertEquals(mark, node.auditArgv("qmrestore").size(), "the cluster-wide check refused before qmrestore ran");
        assertEquals(volumesBefore, node.guest(100).volumes());
        assertEquals("lxc", node.guest(100).type);
        resetGuests();
    }

    /**
     * The advice cannot see the other guest (the inventory is unavailable): qmrestore runs without
     * --force, so Proxmox's own atomic check refuses it, and the user gets the way out.
     */
    @Test
    void withoutForceProxmoxsAtomicCheckIsTheGuarantee() {
        node.removeGuest(100);
        node.addGuest(Guest.lxc(100, "other").node("pve2").stopped());
        node.failPvesh("/cluster/resources", "500 Internal Server Error");
        int mark = node.auditArgv("qmrestore").size();
        List<Result> r = restore(Mode.LOCAL, config(Mode.LOCAL), Rel.file(vmPath(), vm100));
        String err = error(r, vmPath());
        List<String> qm = node.auditArgv("qmrestore").get(mark);
        assertFalse(qm.contains("--force"), "no --force without force_vm_restore: " + qm);
        assertTrue(err.contains("already exists") && err.contains("newid=") && err.contains("force_vm_restore=true"), err);
        assertTrue(node.guest(100).freedVolumes().isEmpty(), "the other guest's disks were not freed");
        assertEquals("lxc", node.guest(100).type);
        resetGuests();
    }

    // ---------------------------------------------------------------- 2. the shared dump_dir

    /**
     * A scheduled job holds the node's vzdump lock and writes its archive into the same dump_dir;
     * our dump of the same guest waits behind it and then fails: the job's files survive.
     */
    @Test
    void aFailedDumpNeverRemovesAScheduledJobsArchive() throws Exception {
        SimulatedCluster.ScheduledJob job = node.scheduledJob(node.localNode(), 100, dumpDir, 1 << 20);
        node.fault("vzdump", 100, "fail_after_bytes", "bytes", 65536, "message", "disk read error");
        CompletableFuture<Snapshot> ours = CompletableFuture.supplyAsync(() -> {
            try (Rel.Plugin p = Rel.importer(node.env(), "safety dump behind a scheduled job")) {
                Snapshot s = Rel.backup(p, config(Mode.LOCAL, "vmid", "100", "transport", "dumpdir"), BackupOptions.defaults());
                p.finish();
                return s;
            }
        });
        node.awaitEvent("vzdump", "waiting-for-global-lock", -1, Duration.ofSeconds(60));
        job.release();
        job.awaitExit(Duration.ofSeconds(60));
        List<Path> jobFiles = node.listDumpDir(dumpDir);
        Snapshot s = ours.get();
        assertFalse(Rel.entry(s, "/vzdump-qemu-100").ok(), s.toString());
        assertFalse(jobFiles.isEmpty(), "the scheduled job wrote its archive");
        for (Path f : jobFiles) {
            assertTrue(Files.exists(f), "the scheduled job's " + f.getFileName() + " must survive our failed dump");
        }
        assertTrue(Rel.files(dumpDir).stream().noneMatch(f -> f.getFileName().toString().startsWith(".plakar-")),
                "our private directory is gone: " + Rel.files(dumpDir));
    }

    // ---------------------------------------------------------------- 3. TERM, wait, then KILL

    /** A cancelled backup stops vzdump with TERM: it unlocks the guest, and the next backup works. */
    @ParameterizedTest
    @EnumSource(Mode.class)
    void aCancelledBackupLeavesTheGuestUnlocked(Mode m) {
        // vzdump cannot finish before the cancel: it pauses after 2 MiB, mid-dump, with the guest locked
        node.pauseAfterBytes("vzdump", 100, 2L << 20);
        int mark = node.pids("vzdump").size();
        Snapshot s;
        try (Rel.Plugin p = Rel.importer(env(m), "safety cancel " + m)) {
            s = Rel.backup(p, config(m, "vmid", "100"),
                    BackupOptions.defaults().cancelOpen(path -> path.startsWith("/vzdump-qemu-100"), 1 << 20));
            p.finish();
        }
        assertFalse(Rel.entry(s, "/vzdump-qemu-100").ok(), s.toString());
        List<Long> pids = node.pids("vzdump");
        assertTrue(pids.size() > mark, "vzdump ran");
        pids.subList(mark, pids.size()).forEach(SafetyIT::awaitGone);
        assertNull(node.guest(100).lock(), "TERM lets vzdump remove 'lock: backup' (a KILL leaves it)");
        node.clearFaults();
        try (Rel.Plugin p = Rel.importer(env(m), "safety after cancel " + m)) {
            Snapshot again = Rel.backup(p, config(m, "vmid", "100"), BackupOptions.defaults());
            p.finish();
            assertTrue(Rel.entry(again, "/vzdump-qemu-100").ok(), "the next backup is not refused: " + again);
        }
    }

    static void awaitGone(long pid) {
        long end = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
            assertTrue(System.nanoTime() < end, "vzdump " + pid + " still runs");
            Procs.sleep(20);
        }
    }

    // ---------------------------------------------------------------- 4. checks before anything stops

    @Test
    void aForcedRestoreChecksThePoolBeforeStoppingTheGuest() {
        resetGuests();
        int qmMark = node.auditArgv("qm").size();
        List<Result> r = restore(Mode.LOCAL, config(Mode.LOCAL, "force_vm_restore", "true", "pool", "nosuchpool"),
                Rel.file(vmPath(), vm100));
        String err = error(r, vmPath());
        assertTrue(err.contains("pool 'nosuchpool' does not exist") && err.contains("nothing was changed"), err);
        List<List<String>> qm = node.auditArgv("qm");
        assertTrue(qm.subList(qmMark, qm.size()).stream().noneMatch(a -> a.get(1).equals("stop") || a.get(1).equals("shutdown")),
                "nothing was stopped: " + qm.subList(qmMark, qm.size()));
        assertEquals("running", node.guest(100).status);
        assertTrue(node.guest(100).freedVolumes().isEmpty());
    }

    // ---------------------------------------------------------------- 5. no streaming over an existing guest

    @Test
    void aForcedStreamOverAnExistingGuestIsStagedFirst() {
        resetGuests();
        node.updateGuest(100, g -> g.stopped());
        int mark = node.auditArgv("qmrestore").size();
        List<Result> r = restore(Mode.LOCAL, config(Mode.LOCAL, "force_vm_restore", "true", "restore_transport", "stream"),
                Rel.file(vmPath(), vm100));
        assertEquals("", error(r, vmPath()));
        List<String> qm = node.auditArgv("qmrestore").get(mark);
        assertFalse(qm.get(1).equals("-"), "the whole dump is on disk before qmrestore frees the old disks: " + qm);
        assertTrue(qm.containsAll(List.of("--force", "1")), qm.toString());
    }

    // ---------------------------------------------------------------- 6. cancel during a restore

    /** The host gives up while qmrestore reads: qmrestore gets TERM and cleans up; nothing is left. */
    @ParameterizedTest
    @EnumSource(Mode.class)
    void aCancelledRestoreStopsTheToolGracefully(Mode m) {
        node.removeGuest(100);
        node.pauseAfterBytes("qmrestore", 100, 1L << 20);
        List<String> left;
        try (Rel.Plugin p = Rel.exporter(env(m), "safety restore cancel " + m)) {
            p.process.exporter().init("proxmox+backup", config(m, "restore_transport", "stream"));
            var o = ExportAborter.exportAndAbort(p.process.channel(),
                    List.of(ExportItem.directory("/"), Rel.slowFile(vmPath(), vm100, vm100.length, 256 << 10, 5)), vmPath(),
                    vm100.length / 2);
            assertTrue(o.aborted());
            p.finish();
        }
        for (long pid : node.pids("qmrestore")) {
            awaitGone(pid);
        }
        Guest g = node.guest(100);
        assertTrue(g == null || !"create".equals(g.lock()), "TERM lets qmrestore drop 'lock: create': " + g);
        assertTrue(Rel.awaitEmpty(dumpDir, Duration.ofSeconds(10)).isEmpty());
        resetGuests();
    }

    // ---------------------------------------------------------------- 7. owner-only staging

    @ParameterizedTest
    @EnumSource(Mode.class)
    void stagedDumpsAreReadableByTheOwnerOnly(Mode m) throws Exception {
        node.removeGuest(101);
        List<Result> r = restore(m, config(m, "cleanup", "false"), Rel.file(ctPath(), ct101));
        assertEquals("", error(r, ctPath()));
        List<Path> files = Rel.files(dumpDir);
        Path dir = files.stream().filter(Files::isDirectory).findFirst().orElseThrow(() -> new AssertionError(files.toString()));
        assertTrue(dir.getFileName().toString().matches("\\.plakar-[0-9a-f]{16}"), dir.toString());
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
        Path staged = files.stream().filter(Files::isRegularFile).findFirst().orElseThrow();
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(staged)));
        resetGuests();
    }

    // ---------------------------------------------------------------- 8. a dropped connection during the inventory

    @Test
    void aConnectionDroppedDuringTheInventoryIsRetried() {
        SimulatedCluster.StreamPause pause = node.pausePvesh("/cluster/resources");
        CompletableFuture<Void> drop = CompletableFuture.runAsync(() -> {
            pause.awaitPaused(Duration.ofSeconds(60));
            sshd.dropConnections();
            pause.resume();
        });
        Snapshot s;
        String stderr;
        try (Rel.Plugin p = Rel.importer(Map.of(), "safety inventory drop")) {
            s = Rel.backup(p, config(Mode.REMOTE, "vmid", "100,101"), BackupOptions.defaults());
            p.finish();
            stderr = p.process.stderr();
        }
        drop.join();
        assertEquals("", s.importError(), s + "\n" + stderr);
        assertTrue(Rel.entry(s, "/vzdump-qemu-100-").ok() && Rel.entry(s, "/vzdump-lxc-101-").ok(), s + "\n" + stderr);
        assertFalse(stderr.contains("no SSH address for node"), stderr);
    }

    // ---------------------------------------------------------------- 9. container archives with pax headers

    @Test
    void aContainerUnderANewVmidFindsItsStorageBehindThePaxHeader() {
        assertEquals("PaxHeaders", new String(uncompressedHead(ct101), java.nio.charset.StandardCharsets.US_ASCII)
                .substring(13, 23), "the simulator's container archives start with a pax header, like vzdump's");
        int mark = node.auditArgv("pct").size();
        List<Result> r = restore(Mode.LOCAL, config(Mode.LOCAL, "newid", "301"), Rel.file(ctPath(), ct101));
        assertEquals("", error(r, ctPath()));
        List<String> pct = node.auditArgv("pct").subList(mark, node.auditArgv("pct").size()).stream()
                .filter(a -> a.size() > 1 && a.get(1).equals("restore")).findFirst().orElseThrow();
        assertTrue(String.join(" ", pct).contains("--storage local-lvm"), pct.toString());
        node.removeGuest(301);
    }

    static byte[] uncompressedHead(byte[] zst) {
        try (var in = new com.github.luben.zstd.ZstdInputStream(new java.io.ByteArrayInputStream(zst))) {
            return in.readNBytes(512);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
