package io.plakar.pve.testkit.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The simulator behaves like Proxmox where safety and restore drills depend on it (facts §12):
 * VMID/--force semantics, locks and signals, the shared dump dir, GNU tar container archives,
 * storage checks inside qmrestore, graceful shutdown, drill commands, pauses of pvesh.
 * Every fault is timed by an event (bytes, marker files, lock events), never by a sleep.
 */
class SimulatorSafetyTest {
    static final Duration T = Duration.ofSeconds(60);
    SimulatedCluster node;

    @BeforeEach
    void setUp() throws IOException {
        node = SimulatedCluster.create("demo");
        node.putEnv("PVE_FAKE_NOW", "1714557600");
    }

    @AfterEach
    void tearDown() {
        node.close();
    }

    byte[] vmDump(int vmid) {
        ProcResult r = node.run("vzdump", Integer.toString(vmid), "--stdout", "1");
        assertEquals(0, r.exitCode(), r.toString());
        return r.stdout();
    }

    // ------------------------------------------------------------------ 1. VMID / --force

    @Test
    void restoreWithoutForceRefusesAnyExistingVmidInTheCluster() {
        byte[] vm = vmDump(100);
        // CT on this node, VM on another node, VM on this node: Proxmox's check_vmid_unused text
        ProcResult r = node.runWithInput(vm, "qmrestore", "-", "101");
        assertEquals(255, r.exitCode());
        assertEquals("unable to restore VM 101 - CT 101 already exists on node 'pve1'\n", r.stderr());
        r = node.runWithInput(vm, "qmrestore", "-", "102");
        assertEquals("unable to restore VM 102 - VM 102 already exists on node 'pve2'\n", r.stderr());
        r = node.runWithInput(vm, "qmrestore", "-", "100");
        assertEquals("unable to restore VM 100 - VM 100 already exists on node 'pve1'\n", r.stderr());
        r = node.run("pct", "restore", "100", "-", "--rootfs", "local-lvm:1");
        assertEquals("VM 100 already exists on node 'pve1'\n", r.stderr());
        r = node.run("pct", "restore", "103", "-", "--rootfs", "local-lvm:1", "--force", "1");
        assertEquals("CT 103 already exists on node 'pve2'\n", r.stderr(), "a CT on another node: refused even with force");
        // nothing read, nothing touched
        assertTrue(node.restores().isEmpty(), node.restores().toString());
        assertEquals("running", node.guest(100).status);
        assertEquals(List.of("local-lvm:vm-100-disk-0"), node.guest(100).volumes());
        assertNull(node.guest(101).lock());
    }

    @Test
    void forceDoesNotCrossTypesOrNodes() {
        byte[] vm = vmDump(100);
        ProcResult r = node.runWithInput(vm, "qmrestore", "-", "101", "--force", "1");
        assertEquals(255, r.exitCode());
        assertEquals("unable to restore VM 101 - close (rename) atomic file '/etc/pve/nodes/pve1/qemu-server/101.conf' "
                + "failed: File exists\n", r.stderr());
        r = node.runWithInput(vm, "qmrestore", "-", "102", "--force", "1");
        assertTrue(r.stderr().contains("File exists"), r.stderr());
        assertEquals("lxc", node.guest(101).type);
        assertEquals("pve2", node.guest(102).node);
        assertEquals(List.of("local-lvm:subvol-101-disk-0"), node.guest(101).volumes());
    }

    @Test
    void forcedRestoreFreesTheOldDisksAfterTheHeaderAndABrokenStreamLeavesNoDisks() {
        byte[] vm = vmDump(100);
        // VM 110 (stopped, pool test) is taken over; the stream breaks after the header
        byte[] truncated = Arrays.copyOf(vm, 100_000);
        ProcResult r = node.runWithInput(truncated, "qmrestore", "-", "110", "--force", "1");
        assertEquals(255, r.exitCode());
        assertTrue(r.stdoutText().contains("VM 110 state is NOT cleaned up."), r.stdoutText());
        Guest g = node.guest(110);
        assertEquals(List.of(), g.volumes(), "the old disk is gone");
        assertEquals(List.of("local-lvm:vm-110-disk-0"), g.freedVolumes());
        assertEquals(List.of("local-lvm:vm-110-disk-0"), g.destroyedVolumes(), "the new, partial disk is removed too");
        assertNull(g.lock(), "qmrestore removes only the create lock; the config stays");
        assertEquals(0, g.diskBytes);
        // a further restore without force is now refused: the (empty) config still owns the VMID
        r = node.runWithInput(vm, "qmrestore", "-", "110");
        assertEquals("unable to restore VM 110 - VM 110 already exists on node 'pve1'\n", r.stderr());
    }

    @Test
    void forcedRestoreOntoARunningVmFailsInTaskWithTheConfigIntact() {
        ProcResult r = node.runWithInput(vmDump(100), "qmrestore", "-", "100", "--force", "1");
        assertEquals(255, r.exitCode());
        assertEquals("unable to restore VM 100 - vm is running\n", r.stderr());
        assertEquals(List.of("local-lvm:vm-100-disk-0"), node.guest(100).volumes());
        assertNull(node.guest(100).lock());
    }

    @Test
    void forcedPctRestoreThatFailsDestroysTheOldContainer() throws Exception {
        byte[] ct = node.run("vzdump", "101", "--stdout", "1").stdout();
        // CT 111 (stopped) is taken over with --force; the stream breaks: pct destroys the config
        ProcResult r = node.runWithInput(Arrays.copyOf(ct, 20_000), "pct", "restore", "111", "-", "--rootfs",
                "local-lvm:1", "--force", "1");
        assertEquals(255, r.exitCode(), r.toString());
        assertTrue(r.stderr().startsWith("unable to restore CT 111 - "), r.stderr());
        assertNull(node.guest(111));
        assertTrue(node.volumeEvents().stream().anyMatch(e -> "free".equals(e.get("op"))
                && "local-lvm:subvol-111-disk-0".equals(e.get("volid"))), node.volumeEvents().toString());
    }

    // ------------------------------------------------------------------ 2. locks and signals

    @Test
    void restoreHoldsCreateLockAndCleansUpOnTerm() throws Exception {
        byte[] vm = vmDump(100);
        SimulatedCluster.StreamPause pause = node.pauseAfterBytes("qmrestore", 110, 200_000);
        SimulatedCluster.Background bg = node.background("pve1", vm, "qmrestore", "-", "110", "--force", "1");
        pause.awaitPaused(T);
        Guest g = node.guest(110);
        assertEquals("create", g.lock());
        assertEquals("data", g.restorePhase());
        assertEquals(bg.pid(), g.restorePid());
        assertEquals(List.of("local-lvm:vm-110-disk-0"), g.freedVolumes(), "old disks freed before the data");
        assertEquals(List.of("local-lvm:vm-110-disk-0"), g.volumes(), "the new volume is allocated");
        bg.signal("TERM");
        ProcResult r = bg.await(T);
        assertEquals(255, r.exitCode());
        assertEquals("interrupted by signal\n", r.stderr());
        g = node.guest(110);
        assertNull(g.lock());
        assertEquals(List.of(), g.volumes());
        assertEquals(Boolean.FALSE, node.restores().get(node.restores().size() - 1).get("ok"));
    }

    @Test
    void restoreKilledLeavesCreateLockAndVolumes() throws Exception {
        SimulatedCluster.StreamPause pause = node.pauseAfterBytes("qmrestore", 170, 200_000);
        SimulatedCluster.Background bg = node.background("pve1", vmDump(100), "qmrestore", "-", "170");
        pause.awaitPaused(T);
        bg.signal("KILL");
        assertEquals(137, bg.await(T).exitCode());
        Guest g = node.guest(170);
        assertEquals("create", g.lock());
        assertEquals(List.of("local-lvm:vm-170-disk-0"), g.volumes());
        ProcResult r = node.runWithInput(vmDump(100), "qmrestore", "-", "170", "--force", "1");
        assertEquals("unable to restore VM 170 - VM is locked (create)\n", r.stderr());
    }

    @Test
    void pctRestoreTermRemovesTheConfigItCreated() throws Exception {
        byte[] ct = node.run("vzdump", "101", "--stdout", "1").stdout();
        SimulatedCluster.StreamPause pause = node.pauseAfterBytes("pct", 180, 100_000);
        SimulatedCluster.Background bg = node.background("pve1", ct, "pct", "restore", "180", "-", "--rootfs", "local-lvm:1");
        pause.awaitPaused(T);
        assertEquals("create", node.guest(180).lock());
        bg.signal("TERM");
        ProcResult r = bg.await(T);
        assertEquals(255, r.exitCode());
        assertEquals("unable to restore CT 180 - interrupted by signal\n", r.stderr());
        assertNull(node.guest(180));
    }

    @Test
    void vzdumpLocksTheGuestAndCleansUpOnTermIntHupPipe() throws Exception {
        for (String sig : List.of("TERM", "INT", "HUP", "PIPE")) {
            SimulatedCluster.StreamPause pause = node.pauseAfterBytes("vzdump", 100, 65536);
            SimulatedCluster.Background bg = node.background("pve1", null, "vzdump", "100", "--stdout", "1");
            pause.awaitPaused(T);
            assertEquals("backup", node.guest(100).lock(), sig);
            assertEquals(bg.pid(), pause.pid());
            bg.signal(sig);
            ProcResult r = bg.await(T);
            assertEquals(255, r.exitCode(), sig);
            assertTrue(r.stderr().contains("ERROR: Backup of VM 100 failed - interrupted by signal\n"), r.stderr());
            assertTrue(r.stderr().endsWith("interrupted by signal\n"), r.stderr());
            assertNull(node.guest(100).lock(), sig);
        }
        node.clearFaults();
        assertEquals(0, node.run("vzdump", "100", "--stdout", "1").exitCode());
    }

    @Test
    void vzdumpKilledKeepsLockStopModeGuestStoppedAndSnapshot() throws Exception {
        // stop mode: TERM restarts the guest
        SimulatedCluster.StreamPause pause = node.pauseAfterBytes("vzdump", 100, 65536);
        SimulatedCluster.Background bg = node.background("pve1", null, "vzdump", "100", "--stdout", "1", "--mode", "stop");
        pause.awaitPaused(T);
        assertEquals("stopped", node.guest(100).status);
        bg.signal("TERM");
        ProcResult r = bg.await(T);
        assertTrue(r.stderr().contains("INFO: restarting vm"), r.stderr());
        assertEquals("running", node.guest(100).status);
        // KILL: lock stays, guest stays stopped, next backup fails
        pause = node.pauseAfterBytes("vzdump", 100, 65536);
        bg = node.background("pve1", null, "vzdump", "100", "--stdout", "1", "--mode", "stop");
        pause.awaitPaused(T);
        bg.signal("KILL");
        assertEquals(137, bg.await(T).exitCode());
        node.clearFaults();
        assertEquals("backup", node.guest(100).lock());
        assertEquals("stopped", node.guest(100).status);
        r = node.run("vzdump", "100", "--stdout", "1");
        assertEquals(255, r.exitCode());
        assertTrue(r.stderr().contains("ERROR: Backup of VM 100 failed - VM is locked (backup)"), r.stderr());
        // lxc snapshot mode: the 'vzdump' snapshot exists during the dump, TERM removes it, KILL leaves it
        pause = node.pauseAfterBytes("vzdump", 101, 30_000);
        bg = node.background("pve1", null, "vzdump", "101", "--stdout", "1");
        pause.awaitPaused(T);
        assertEquals(List.of("vzdump"), node.guest(101).snapshots());
        bg.signal("TERM");
        assertTrue(bg.await(T).stderr().contains("INFO: cleanup temporary 'vzdump' snapshot"));
        assertEquals(List.of(), node.guest(101).snapshots());
        pause = node.pauseAfterBytes("vzdump", 101, 30_000);
        bg = node.background("pve1", null, "vzdump", "101", "--stdout", "1");
        pause.awaitPaused(T);
        bg.signal("KILL");
        bg.await(T);
        assertEquals(List.of("vzdump"), node.guest(101).snapshots());
        assertEquals("backup", node.guest(101).lock());
    }

    // ------------------------------------------------------------------ 3. shared dump dir

    @Test
    void scheduledJobHoldsTheGlobalLockAndItsFilesSurvive() throws Exception {
        Path dump = node.localDumpDir();
        SimulatedCluster.ScheduledJob job = node.scheduledJob("pve1", 110, null, 100_000);
        assertTrue(node.listDumpDir(dump).stream().anyMatch(p -> p.getFileName().toString()
                .matches("vzdump-qemu-110-.*\\.vma\\.dat")), node.listDumpDir(dump).toString());
        // ours waits for the node's vzdump lock
        SimulatedCluster.Background ours = node.background("pve1", null, "vzdump", "100", "--storage", "local");
        node.awaitEvent("vzdump", "waiting-for-global-lock", ours.pid(), T);
        assertTrue(ours.isAlive());
        job.release();
        ProcResult nightly = job.awaitExit(T);
        assertEquals(0, nightly.exitCode(), nightly.toString());
        ProcResult r = ours.await(T);
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.stdoutText().contains("INFO: trying to get global lock - waiting...\nINFO: got global lock\n"),
                r.stdoutText());
        List<String> names = node.listDumpDir(dump).stream().map(p -> p.getFileName().toString()).toList();
        assertTrue(names.stream().anyMatch(n -> n.matches("vzdump-qemu-110-.*\\.vma\\.zst")), names.toString());
        assertTrue(names.stream().anyMatch(n -> n.matches("vzdump-qemu-110-.*\\.log")), names.toString());
        assertTrue(names.stream().anyMatch(n -> n.matches("vzdump-qemu-100-.*\\.vma")), names.toString());
    }

    // ------------------------------------------------------------------ 4. GNU tar

    @Test
    void containerArchivesAreGnuTarPaxAndByteStable() throws Exception {
        byte[] a = node.run("vzdump", "101", "--stdout", "1").stdout();
        byte[] b = node.run("vzdump", "101", "--stdout", "1").stdout();
        assertArrayEquals(a, b, "same PVE_FAKE_NOW, same bytes");
        assertEquals("./etc/vzdump/PaxHeaders/pct.conf", new String(a, 0, 100, StandardCharsets.US_ASCII).replace("\0", ""));
        assertEquals('x', a[156]);
        assertEquals("ustar\u000000", new String(a, 257, 8, StandardCharsets.US_ASCII));
        String rec = new String(a, 512, 512, StandardCharsets.US_ASCII);
        assertTrue(rec.contains(" atime=") && rec.contains(" ctime="), rec);
        // pct restore (file) recovers pct.conf through the pax header
        Path dir = node.newDumpDir("ct");
        ProcResult r = node.run("vzdump", "101", "--dumpdir", dir.toString());
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.stdoutText().contains("INFO: Total bytes written: "), r.stdoutText());
        Path tar = node.listDumpDir(dir).stream().filter(p -> p.toString().endsWith(".tar")).findFirst().orElseThrow();
        r = node.run("pct", "restore", "190", tar.toString(), "--storage", "local-lvm");
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals("dns01", node.guest(190).name);
        assertEquals(4L << 20, node.guest(190).diskBytes);
        // real GNU tar lists it
        Process p = new ProcessBuilder("tar", "tf", tar.toString()).start();
        String list = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor());
        assertTrue(list.startsWith("./etc/vzdump/pct.conf\n./\n"), list);
    }

    // ------------------------------------------------------------------ 5. storage / pool checks

    @Test
    void storageChecksInsideQmrestoreAfterTheTakeover() {
        byte[] vm = vmDump(100);
        node.addStorage("pve1", SimulatedCluster.map("storage", "off-lvm", "type", "lvmthin", "content", "images,rootdir",
                "enabled", 0));
        node.addStorage("pve2", SimulatedCluster.map("storage", "far", "type", "lvmthin", "content", "images"));
        // no images content: fails after the header, before anything is freed
        ProcResult r = node.runWithInput(vm, "qmrestore", "-", "110", "--force", "1", "--storage", "local");
        assertEquals("Content type 'images' is not available on storage 'local'\n", r.stderr());
        assertEquals(List.of("local-lvm:vm-110-disk-0"), node.guest(110).volumes());
        r = node.runWithInput(vm, "qmrestore", "-", "110", "--force", "1", "--storage", "nosuch");
        assertEquals("storage 'nosuch' does not exist\n", r.stderr());
        assertEquals(List.of("local-lvm:vm-110-disk-0"), node.guest(110).volumes());
        // disabled (or not on this node): vdisk_alloc fails AFTER the old disks were freed
        r = node.runWithInput(vm, "qmrestore", "-", "110", "--force", "1", "--storage", "off-lvm");
        assertEquals(255, r.exitCode());
        assertEquals("storage 'off-lvm' is disabled\n", r.stderr());
        assertEquals(List.of(), node.guest(110).volumes());
        assertEquals(List.of("local-lvm:vm-110-disk-0"), node.guest(110).freedVolumes());
        r = node.runWithInput(vm, "qmrestore", "-", "150", "--storage", "far");
        assertEquals("storage 'far' is not available on node 'pve1'\n", r.stderr());
        // pool: checked before the lock
        r = node.runWithInput(vm, "qmrestore", "-", "151", "--pool", "nopool");
        assertEquals("403 Permission check failed (pool 'nopool' does not exist)\n", r.stderr());
        assertNull(node.guest(151));
        // pct: storage checks before the lock
        r = node.run("pct", "restore", "152", "-", "--rootfs", "off-lvm:1");
        assertEquals("storage 'off-lvm' is disabled\n", r.stderr());
        r = node.run("pct", "restore", "152", "-", "--rootfs", "local:1");
        assertTrue(r.stderr().startsWith("400 Parameter verification failed.\nstorage: storage 'local' does not support "
                + "container directories\n"), r.stderr());
        assertNull(node.guest(152));
        // what a caller can check first
        r = node.run("pvesh", "get", "/nodes/pve1/storage", "--content", "images", "--output-format", "json");
        assertTrue(r.stdoutText().contains("\"storage\":\"local-lvm\"") && !r.stdoutText().contains("\"storage\":\"local\""),
                r.stdoutText());
        assertTrue(r.stdoutText().contains("\"storage\":\"off-lvm\"") && r.stdoutText().contains("\"enabled\":0"),
                r.stdoutText());
        assertEquals(0, node.run("pvesh", "get", "/pools/test", "--output-format", "json").exitCode());
        assertEquals("pool 'nopool' does not exist\n", node.run("pvesh", "get", "/pools/nopool").stderr());
    }

    // ------------------------------------------------------------------ 6. shutdown / stop

    @Test
    void gracefulShutdownAndPowerCut() {
        assertEquals(0, node.run("qm", "shutdown", "100", "--timeout", "30").exitCode());
        assertEquals("stopped", node.guest(100).status);
        assertEquals(0, node.run("qm", "start", "100").exitCode());
        node.updateGuest(100, g -> g.ignoreAcpi(true));
        ProcResult r = node.run("qm", "shutdown", "100", "--timeout", "30");
        assertEquals(255, r.exitCode());
        assertEquals("VM quit/powerdown failed - got timeout\n", r.stderr());
        assertEquals("running", node.guest(100).status);
        assertEquals(0, node.run("qm", "shutdown", "100", "--timeout", "30", "--forceStop", "1").exitCode());
        assertEquals("stopped", node.guest(100).status);
        assertEquals(0, node.run("qm", "stop", "100").exitCode(), "stopped VM: silent");
        node.updateGuest(101, g -> g.ignoreAcpi(true));
        r = node.run("pct", "shutdown", "101", "--timeout", "30");
        assertEquals("container did not stop\n", r.stderr());
        assertEquals(0, node.run("pct", "stop", "101").exitCode());
        assertEquals("CT 101 not running\n", node.run("pct", "shutdown", "101").stderr());
        node.updateGuest(100, g -> g.lock("backup"));
        assertEquals("VM is locked (backup)\n", node.run("qm", "start", "100").stderr());
    }

    // ------------------------------------------------------------------ 7. restore drill

    @Test
    void drillCommands() {
        ProcResult r = node.runWithInput(vmDump(100), "qmrestore", "-", "9901", "--unique", "1", "--pool", "test",
                "--storage", "local-lvm");
        assertEquals(0, r.exitCode(), r.toString());
        Guest g = node.guest(9901);
        assertEquals("test", g.pool);
        String net0 = g.nets().get("net0");
        assertTrue(net0.startsWith("virtio=") && !net0.equals(node.guest(100).nets().get("net0")), net0);
        r = node.run("qm", "set", "9901", "--net0", net0 + ",link_down=1", "--tags", "plakar-drill", "--agent", "1");
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(node.guest(9901).linkDown("net0"));
        String conf = node.run("qm", "config", "9901").stdoutText();
        assertTrue(conf.contains("net0: " + net0 + ",link_down=1\n") && conf.contains("tags: plakar-drill\n")
                && conf.contains("agent: 1\n"), conf);
        assertEquals("VM 9901 is not running\n", node.run("qm", "guest", "cmd", "9901", "ping").stderr());
        assertEquals(0, node.run("qm", "start", "9901").exitCode());
        r = node.run("qm", "guest", "cmd", "9901", "ping");
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals("VM 9901 is running - destroy failed\n", node.run("qm", "destroy", "9901", "--purge", "1").stderr());
        assertEquals(0, node.run("qm", "stop", "9901").exitCode());
        assertEquals(0, node.run("qm", "destroy", "9901", "--purge", "1").exitCode());
        assertNull(node.guest(9901));
        Map<String, Object> d = node.destroyed().get(0);
        assertEquals(9901L, d.get("vmid"));
        assertEquals("plakar-drill", d.get("tags"));
        // no agent / never boots
        node.addGuest(Guest.qemu(9902, "noagent").running());
        assertEquals("No QEMU guest agent configured\n", node.run("qm", "guest", "cmd", "9902", "ping").stderr());
        node.addGuest(Guest.qemu(9903, "hang").running().agent(true).neverBoots(true));
        assertEquals("QEMU guest agent is not running\n", node.run("qm", "guest", "cmd", "9903", "ping").stderr());
        // locked guests are not destroyed; containers
        node.addGuest(Guest.lxc(9904, "ct").stopped().lock("create"));
        assertEquals("CT is locked (create)\n", node.run("pct", "destroy", "9904", "--purge", "1").stderr());
        node.updateGuest(9904, x -> x.lock(null).running());
        assertEquals("unable to destroy CT 9904 - container is running\n",
                node.run("pct", "destroy", "9904", "--purge", "1").stderr());
        r = node.run("pct", "set", "9904", "--net0", "name=eth0,bridge=vmbr0,link_down=1", "--tags", "plakar-drill");
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(node.guest(9904).linkDown("net0"));
        assertTrue(node.run("pct", "config", "9904").stdoutText().contains("net0: name=eth0,bridge=vmbr0,link_down=1\n"));
        assertEquals("\"104\"\n", node.run("pvesh", "get", "/cluster/nextid", "--output-format", "json").stdoutText());
    }

    // ------------------------------------------------------------------ 8. pvesh pauses

    @Test
    void pveshInventoryCanBePausedAtAnExactPoint() throws Exception {
        SimulatedCluster.StreamPause pause = node.pausePvesh("/cluster/resources");
        SimulatedCluster.Background bg = node.background("pve1", null, "pvesh", "get", "/cluster/resources", "--type", "vm",
                "--output-format", "json");
        pause.awaitPaused(T);
        assertTrue(bg.isAlive());
        assertEquals(bg.pid(), pause.pid());
        pause.resume();
        ProcResult r = bg.await(T);
        assertEquals(0, r.exitCode());
        assertTrue(r.stdoutText().startsWith("[{"), r.stdoutText());
        // one use only
        assertEquals(0, node.run("pvesh", "get", "/cluster/resources", "--output-format", "json").exitCode());
        node.failPvesh("/cluster/status", "got timeout");
        r = node.run("pvesh", "get", "/cluster/status", "--output-format", "json");
        assertEquals(255, r.exitCode());
        assertEquals("got timeout\n", r.stderr());
        assertNotEquals("", node.run("pvesh", "get", "/cluster/status", "--output-format", "json").stdoutText());
        assertFalse(Files.exists(node.stateDir().resolve("faults.json"))
                && Files.readString(node.stateDir().resolve("faults.json")).contains("cluster/status\":{"));
    }
}
