package io.plakar.pve.plugin.reliability;

import io.plakar.pve.testkit.host.BackupOptions;
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

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Faults during a backup, through the packaged proxmoxImporter, in mode=local and mode=remote
 * (loopback sshd). VM 100 gets the fault, CT 101 must still be backed up byte for byte; the
 * faulted dump must reach the host as a failed file, never as a short success; nothing may be
 * left running (plugin children, sshd session commands, vzdump) or staged in dump_dir.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ImporterFaultsIT {
    enum Mode { LOCAL, REMOTE }

    SimulatedCluster node;
    LoopbackSshd sshd;
    Path dumpDir;
    String ref100;
    String ref101;
    long len100;
    long len101;

    @BeforeAll
    void start() throws Exception {
        node = Rel.node();
        node.updateGuest(101, g -> g.diskBytes(1L << 20));
        sshd = LoopbackSshd.start(node);
        dumpDir = node.newDumpDir("import");
        byte[] a = Rel.reference(node, 100, "0");
        byte[] b = Rel.reference(node, 101, "0");
        ref100 = Rel.sha(a);
        ref101 = Rel.sha(b);
        len100 = a.length;
        len101 = b.length;
        node.auditArgv(); // references ran the fake directly: the audit is checked per run from here
    }

    @AfterAll
    void stop() {
        sshd.close();
        node.close();
        Capture.assertNoLeaks();
    }

    int tests;

    @BeforeEach
    void reset() {
        dumpDir = node.newDumpDir("import-" + ++tests); // a leftover of one test must not fail the next
        node.clearFaults();
        if (node.guest(100) == null) {
            node.addGuest(Guest.qemu(100, "web01").running().pool("prod"));
        }
        node.updateGuest(100, g -> g.lock(null).diskBytes(8L << 20));
        node.updateGuest(101, g -> g.lock(null));
    }

    Map<String, String> config(Mode m, Path dir, String... kv) {
        Map<String, String> c = m == Mode.LOCAL ? Rel.local(node, dir) : Rel.remote(sshd, dir);
        c.put("vmid", "100,101");
        c.putAll(Rel.cfg(kv));
        return c;
    }

    /** One backup with a fault on VM 100; every invariant of the suite checked; returns VM 100's error. */
    String run(Mode m, String scenario, Map<String, String> config, BackupOptions o, Consumer<Rel.Plugin> during,
               String expect) throws Exception {
        Snapshot s;
        List<String> strays;
        List<String> sessions = List.of();
        try (Rel.Plugin p = Rel.importer(m == Mode.LOCAL ? node.env() : Map.of(), "importer " + scenario + " " + m)) {
            CompletableFuture<Void> side = during == null ? CompletableFuture.completedFuture(null)
                    : CompletableFuture.runAsync(() -> during.accept(p));
            s = Rel.backup(p, config, o);
            side.join();
            strays = Procs.awaitNone(() -> Procs.descendants(p.pid()), Duration.ofSeconds(10));
            if (m == Mode.REMOTE) {
                sessions = Procs.awaitNone(() -> Procs.sessionCommands(sshd.pid()), Duration.ofSeconds(10));
            }
            p.finish();
        }
        List<String> vzdumps = Procs.awaitNone(this::liveVzdumps, Duration.ofSeconds(10));
        List<Path> left = Rel.awaitEmpty(Path.of(config.get("dump_dir")), Duration.ofSeconds(10));

        Snapshot.Entry vm = s.entries().stream().filter(e -> e.path().startsWith("/vzdump-qemu-100")).findFirst()
                .orElseThrow(() -> new AssertionError("no record for VM 100: " + s));
        Snapshot.Entry ct = Rel.entry(s, "/vzdump-lxc-101-");
        long lost = 0;
        if (!ct.ok() || !ct.sha256().equals(ref101)) {
            lost += len101;
        }
        if (vm.ok() && !vm.sha256().equals(ref100)) {
            lost += len100 - vm.size(); // a truncated dump recorded as good
        }
        String err = vm.recordError() + vm.openError();
        FiguresReport.fault("backup", scenario, m.name().toLowerCase(), 1,
                vm.ok() ? "VM 100 recorded as good!" : "failed file (`" + expect + "`), CT 101 intact", lost);

        assertEquals("", s.importError(), s.toString());
        assertFalse(vm.ok(), "the faulted dump must be a failed file, never a short success: " + s);
        assertTrue(err.contains(expect), "clear error expected (" + expect + "): " + err);
        assertTrue(ct.ok() && ct.sha256().equals(ref101), "the other guest must be backed up intact: " + s);
        assertTrue(strays.isEmpty(), "plugin children left running: " + strays);
        assertTrue(sessions.isEmpty(), "commands left running in sshd sessions: " + sessions);
        assertTrue(vzdumps.isEmpty(), "vzdump left running: " + vzdumps);
        assertTrue(left.isEmpty(), "staged files left in dump_dir: " + left);
        assertEquals(0, lost);
        return err;
    }

    static String shorten(String s) {
        String one = s.replace('\n', ' ').replace("|", "/");
        return one.length() > 90 ? one.substring(0, 90) + "…" : one;
    }

    @SuppressWarnings("unchecked")
    List<String> liveVzdumps() {
        List<String> alive = new ArrayList<>();
        for (Map<String, Object> a : node.audit()) {
            if ("vzdump".equals(a.get("tool"))) {
                long pid = ((Number) a.get("pid")).longValue();
                ProcessHandle.of(pid).filter(ProcessHandle::isAlive).ifPresent(h -> alive.add(Procs.describe(pid)));
            }
        }
        alive.removeIf(d -> !d.contains("vzdump"));
        return alive;
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void vzdumpKilledMidStream(Mode m) throws Exception {
        node.fault("vzdump", 100, "kill_after_bytes", "bytes", 1 << 20);
        run(m, "vzdump killed mid-stream (SIGKILL after 1 MiB)", config(m, dumpDir), BackupOptions.defaults(), null, "VM 100");
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void vzdumpFailsAfterMostOfTheData(Mode m) throws Exception {
        node.fault("vzdump", 100, "fail_after_bytes", "bytes", (int) (len100 - 65536), "message", "read error near the end");
        run(m, "vzdump exits 255 after all but the last 64 KiB", config(m, dumpDir), BackupOptions.defaults(), null,
                "read error near the end");
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void guestVanishesBetweenInventoryAndDump(Mode m) throws Exception {
        node.fault("vzdump", 100, "vanish");
        run(m, "guest vanishes between inventory and dump", config(m, dumpDir), BackupOptions.defaults(), null,
                "unable to find VM '100'");
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void hostCancelsTheBackup(Mode m) throws Exception {
        node.updateGuest(100, g -> g.diskBytes(96L << 20));
        node.fault("vzdump", 100, "slow", "delay_ms", 30);
        String err = run(m, "host cancels the Open after 2 MiB", config(m, dumpDir),
                BackupOptions.defaults().cancelOpen(p -> p.startsWith("/vzdump-qemu-100"), 2 << 20), null, "CANCELLED");
        assertFalse(err.isEmpty());
    }

    /** The drop is timed by the stream itself: vzdump pauses after 4 MiB, the connection dies, vzdump goes on. */
    @Test
    void sshConnectionDroppedMidBackup() throws Exception {
        node.updateGuest(100, g -> g.diskBytes(96L << 20));
        SimulatedCluster.StreamPause pause = node.pauseAfterBytes("vzdump", 100, 4L << 20);
        run(Mode.REMOTE, "SSH connection dropped mid-backup (after 4 MiB of the dump)", config(Mode.REMOTE, dumpDir),
                BackupOptions.defaults(), p -> {
                    pause.awaitPaused(Duration.ofSeconds(60));
                    sshd.dropConnections();
                    pause.resume();
                }, "VM 100");
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void dumpDirFull(Mode m) throws Exception {
        try (Tmpfs full = Tmpfs.mount(node.tempRoot(), "4m")) {
            assumeTrue(full != null, "mounting a 4 MiB tmpfs is not permitted here: dump_dir-full scenario skipped");
            run(m, "dump_dir full (4 MiB tmpfs, transport=dumpdir)", config(m, full.dir, "transport", "dumpdir"),
                    BackupOptions.defaults(), null, "No space left on device");
        }
    }

    /** transport=dumpdir: the connection dies while vzdump writes the dump into dump_dir. */
    @Test
    void sshConnectionDroppedWhileVzdumpWritesToDumpDir() throws Exception {
        node.updateGuest(100, g -> g.diskBytes(96L << 20));
        SimulatedCluster.StreamPause pause = node.pauseAfterBytes("vzdump", 100, 4L << 20);
        run(Mode.REMOTE, "SSH connection dropped while vzdump writes dump_dir (transport=dumpdir)",
                config(Mode.REMOTE, dumpDir, "transport", "dumpdir"), BackupOptions.defaults(), p -> {
                    pause.awaitPaused(Duration.ofSeconds(60));
                    sshd.dropConnections();
                    pause.resume();
                }, "VM 100");
    }

    /** transport=dumpdir: the connection dies while the staged dump is being read back (cat). */
    @Test
    void sshConnectionDroppedWhileTheStagedDumpIsRead() throws Exception {
        node.updateGuest(100, g -> g.diskBytes(96L << 20));
        run(Mode.REMOTE, "SSH connection dropped while the staged dump is read (transport=dumpdir)",
                config(Mode.REMOTE, dumpDir, "transport", "dumpdir"), BackupOptions.defaults().readDelayPerChunk(40), p -> {
                    awaitSession("cat"); // the read-back has started: the drop lands in it
                    sshd.dropConnections();
                }, "VM 100");
    }

    /** transport=dumpdir: vzdump dies (SIGKILL) half-way through writing its file into dump_dir. */
    @ParameterizedTest
    @EnumSource(Mode.class)
    void vzdumpKilledWhileWritingDumpDir(Mode m) throws Exception {
        node.fault("vzdump", 100, "kill_after_bytes", "bytes", 4 << 20);
        run(m, "vzdump killed while writing dump_dir (transport=dumpdir)", config(m, dumpDir, "transport", "dumpdir"),
                BackupOptions.defaults(), null, "VM 100");
    }

    /** An idle connection (opened by Ping) dies before the backup: the backup must reconnect, not fail every guest. */
    @Test
    void idleConnectionDroppedBeforeTheBackupIsReopened() throws Exception {
        Snapshot s;
        try (Rel.Plugin p = Rel.importer(Map.of(), "importer idle drop")) {
            var c = p.process.importer();
            c.init("proxmox+backup", config(Mode.REMOTE, dumpDir));
            c.ping();
            sshd.dropConnections();
            s = c.backup(BackupOptions.defaults());
            Capture.snapshot(p.label, s);
            p.finish();
        }
        boolean ok = Rel.entry(s, "/vzdump-qemu-100-").ok() && Rel.entry(s, "/vzdump-lxc-101-").ok();
        FiguresReport.fault("backup", "idle SSH connection dropped before the backup", "remote", 1,
                ok ? "reconnected; both guests intact" : "every guest failed (no reconnect)", ok ? 0 : len100 + len101);
        assertTrue(ok, s.toString());
    }

    private void awaitSession(String command) {
        long end = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < end && Procs.sessionCommands(sshd.pid()).stream().noneMatch(d -> d.contains(command))) {
            Procs.sleep(20);
        }
    }
}
