package io.plakar.pve.plugin.exporter;

import io.plakar.pve.testkit.host.ExportAborter;
import io.plakar.pve.testkit.host.ExportItem;
import io.plakar.pve.testkit.host.ExporterClient;
import io.plakar.pve.testkit.host.PluginProcess;
import io.plakar.pve.testkit.sim.SimulatedCluster;
import io.plakar.pve.testkit.sim.Guest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.plakar.pve.plugin.exporter.ExporterFixture.*;
import static org.junit.jupiter.api.Assertions.*;

/** Restore drills and bulk DR restores through the packaged exporter on the simulated node. */
class ProxmoxExporterDrillIT {
    private SimulatedCluster node;
    private Path dumpDir;
    private Path report;
    private final String vmPath = "/" + name("qemu", 100, "vma.zst");

    @BeforeEach
    void setUp() throws Exception {
        node = SimulatedCluster.create();
        node.addPool("plakar-drill", "restore drills");
        dumpDir = node.newDumpDir("restore");
        report = node.tempRoot().resolve("drills-" + System.nanoTime() + ".jsonl");
    }

    @AfterEach
    void tearDown() {
        node.close();
    }

    private Map<String, String> drill(String... kv) {
        Map<String, String> c = localConfig(node, dumpDir, "drill", "true", "drill_report", report.toString(),
                "drill_poll_interval", "20ms");
        for (int i = 0; i < kv.length; i += 2) {
            c.put(kv[i], kv[i + 1]);
        }
        return c;
    }

    private List<String> reportLines() throws Exception {
        return Files.readAllLines(report);
    }

    private List<String> qmVerbsFor(int vmid) {
        List<String> out = new ArrayList<>();
        for (List<String> a : node.auditArgv("qm")) {
            if (a.size() > 2 && a.contains(Integer.toString(vmid))) {
                out.add(String.join(" ", a));
            }
        }
        return out;
    }

    private boolean destroyedWithPurge(int vmid) {
        return node.destroyed().stream().anyMatch(d -> String.valueOf(d.get("vmid")).equals(Integer.toString(vmid))
                && Boolean.TRUE.equals(d.get("purge")));
    }

    @Test
    void passWithAgentRestoresIsolatedBootsAndDestroys() throws Exception {
        node.updateGuest(100, g -> g.agent(true));
        byte[] vm = vzdump(node, 100, "zstd");
        Run run = export(node, drill("drill_boot", "true"), List.of(file(vmPath, vm)));
        assertEquals("", run.error(vmPath), run.stderr());
        List<String> qr = node.auditArgv("qmrestore").get(0);
        assertEquals(List.of("qmrestore", "-", "9900", "--pool", "plakar-drill", "--unique", "1"), qr, "streamed, no --force");
        List<String> qm = qmVerbsFor(9900);
        int tag = indexOf(qm, "qm set 9900 --tags plakar-drill");
        int isolate = indexOf(qm, "qm set 9900 --net0 ");
        int start = indexOf(qm, "qm start 9900");
        int ping = indexOf(qm, "qm guest cmd 9900 ping");
        int destroy = indexOf(qm, "qm destroy 9900 --purge 1");
        assertTrue(tag >= 0 && tag < isolate && isolate < start && start < ping && ping < destroy, qm.toString());
        assertTrue(qm.get(isolate).endsWith(",link_down=1"), qm.get(isolate));
        assertTrue(destroyedWithPurge(9900));
        assertNull(node.guest(9900), "the drill guest is gone");
        assertEquals("running", node.guest(100).status, "the original is untouched");
        List<String> lines = reportLines();
        assertEquals(1, lines.size());
        String l = lines.get(0);
        assertTrue(l.startsWith("{\"guest\":\"qemu/100\",\"dump\":\"" + name("qemu", 100, "vma.zst") + "\",\"snapshot\":null,"
                + "\"result\":\"pass\",\"phase\":null,\"timings\":{\"restore\":"), l);
        assertTrue(l.contains("\"boot\":") && l.contains("\"agent\":") && l.contains("\"drill_vmid\":9900"), l);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(report)));
        assertTrue(run.stderr().contains("drill summary: 1 of 1 dumps passed, 0 failed"), run.stderr());
        System.err.println("DRILL TIMINGS (pass, agent): " + l);
        // append only: a second drill adds a line
        export(node, drill(), List.of(file(vmPath, vm)));
        assertEquals(2, reportLines().size());
        assertEquals(lines.get(0), reportLines().get(0));
    }

    @Test
    void guestThatNeverBootsFailsAtTheAgentAndIsDestroyed() throws Exception {
        node.updateGuest(100, g -> g.agent(true));
        byte[] vm = vzdump(node, 100, "zstd");
        // the copy restored under 9900 gets the simulator's never_boots while qmrestore is paused
        SimulatedCluster.StreamPause pause = node.pauseAfterBytes("qmrestore", 9900, 65536);
        CompletableFuture<Run> running = CompletableFuture.supplyAsync(() ->
                export(node, drill("drill_boot", "true", "drill_timeout", "1s"), List.of(file(vmPath, vm))));
        pause.awaitPaused(Duration.ofSeconds(60));
        node.updateGuest(9900, g -> g.neverBoots(true));
        pause.resume();
        Run run = running.get(120, TimeUnit.SECONDS);
        String err = run.error(vmPath);
        assertTrue(err.contains("restore drill of qemu/100 failed at agent") && err.contains("did not answer within drill_timeout=1s")
                && err.contains("QEMU guest agent is not running"), err);
        assertTrue(destroyedWithPurge(9900), node.destroyed().toString());
        assertNull(node.guest(9900));
        String l = reportLines().get(0);
        assertTrue(l.contains("\"result\":\"fail\",\"phase\":\"agent\""), l);
        assertTrue(l.contains("\"boot\":") && !l.contains("\"agent\":"), l);
        System.err.println("DRILL TIMINGS (never boots): " + l);
    }

    @Test
    void withoutAgentRunningPlusSettlePasses() throws Exception {
        byte[] vm = vzdump(node, 100, "0");
        Run run = export(node, drill("drill_boot", "true", "drill_settle", "200ms"), List.of(file("/" + name("qemu", 100, "vma"), vm)));
        assertEquals("", run.error("/" + name("qemu", 100, "vma")), run.stderr());
        assertEquals(-1, indexOf(qmVerbsFor(9900), "qm guest cmd"), "no agent configured: not asked");
        assertTrue(destroyedWithPurge(9900));
        System.err.println("DRILL TIMINGS (no agent, settle 200ms): " + reportLines().get(0));
    }

    @Test
    void containerDrillRemovesTheBridgeAndDestroys() throws Exception {
        byte[] ct = vzdump(node, 101, "zstd");
        String ctPath = "/" + name("lxc", 101, "tar.zst");
        Run run = export(node, drill("drill_storage", "local-lvm"), List.of(file(ctPath, ct)));
        assertEquals("", run.error(ctPath), run.stderr());
        List<String> restore = node.auditArgv("pct").stream().filter(a -> a.get(1).equals("restore")).findFirst().orElseThrow();
        assertEquals("9900", restore.get(2));
        assertTrue(String.join(" ", restore).endsWith("--storage local-lvm --pool plakar-drill --unique 1"), restore.toString());
        assertTrue(node.listDumpDir(dumpDir).isEmpty(), "the staged dump is removed");
        List<String> set = node.auditArgv("pct").stream().filter(a -> a.get(1).equals("set") && a.contains("--net0")).findFirst().orElseThrow();
        assertFalse(String.join(" ", set).contains("bridge="), set.toString());
        assertTrue(node.auditArgv("pct").stream().anyMatch(a -> String.join(" ", a).equals("pct destroy 9900 --purge 1")));
        assertNull(node.guest(9900));
    }

    @Test
    void fullRangeFailsWithoutTouchingAnything() throws Exception {
        byte[] vm = vzdump(node, 100, "zstd");
        node.addGuest(Guest.qemu(9900, "someone"));
        node.addGuest(Guest.lxc(9901, "someone-else").node("pve2"));
        Run run = export(node, drill("drill_vmid_range", "9900-9901"), List.of(file(vmPath, vm)));
        String err = run.error(vmPath);
        assertTrue(err.contains("failed at restore: no free VMID in drill_vmid_range 9900-9901 (all 2 taken)"), err);
        assertTrue(node.auditArgv("qmrestore").isEmpty());
        assertTrue(node.destroyed().isEmpty());
        assertNotNull(node.guest(9900));
        assertNotNull(node.guest(9901));
        assertTrue(reportLines().get(0).contains("\"result\":\"fail\",\"phase\":\"restore\""));
    }

    @Test
    void sweepRemovesOnlyTaggedLeftoversInsideTheRange() throws Exception {
        byte[] vm = vzdump(node, 100, "zstd");
        node.addGuest(Guest.qemu(9905, "old-drill").tags("plakar-drill").running());
        node.addGuest(Guest.qemu(9906, "in-range-untagged").tags("prod"));
        node.addGuest(Guest.qemu(9800, "tagged-outside").tags("plakar-drill"));
        Run run = export(node, drill(), List.of(file(vmPath, vm)));
        assertEquals("", run.error(vmPath), run.stderr());
        assertNull(node.guest(9905), "tagged leftover in range destroyed");
        assertTrue(destroyedWithPurge(9905));
        assertNotNull(node.guest(9906), "untagged guest in range untouched");
        assertNotNull(node.guest(9800), "tagged guest outside the range untouched");
        assertTrue(qmVerbsFor(9906).stream().noneMatch(c -> c.startsWith("qm destroy") || c.startsWith("qm stop")));
        assertTrue(qmVerbsFor(9800).isEmpty(), "outside the range not even looked at: " + qmVerbsFor(9800));
    }

    @Test
    void cancelMidDrillStopsTheToolAndDestroysTheGuest() throws Exception {
        byte[] vm = vzdump(node, 100, "0");
        String path = "/" + name("qemu", 100, "vma");
        SimulatedCluster.StreamPause pause = node.pauseAfterBytes("qmrestore", 9900, 128 << 10);
        // the host sends its first 1 MiB chunk, waits until qmrestore is paused inside its data phase
        // (guest config written, lock: create, volumes allocated), then cancels after its next chunk
        ExportItem gated = ExportItem.file(path, vm.length, MTIME, () -> new GatedStream(vm, 1 << 20, pause));
        ExporterClient.Outcome o;
        try (PluginProcess p = PluginProcess.spawn(exporterExecutable(), node.env())) {
            ExporterClient c = p.exporter();
            c.init("proxmox+backup", drill("drill_boot", "true"));
            o = ExportAborter.exportAndAbort(p.channel(), List.of(gated), path, 3 << 19);
            c.close();
            p.closeAndWait(Duration.ofSeconds(90));
            assertTrue(o.aborted());
            assertTrue(p.stderr().contains("drill summary"), p.stderr());
        }
        assertNull(node.guest(9900), "the half-restored drill guest is destroyed");
        assertTrue(destroyedWithPurge(9900), node.destroyed().toString());
        assertTrue(node.listDumpDir(dumpDir).isEmpty());
        String l = reportLines().get(0);
        assertTrue(l.contains("\"result\":\"fail\",\"phase\":\"restore\""), l);
        assertTrue(node.auditArgv("qm").stream().noneMatch(a -> a.get(1).equals("start")), "nothing started after the cancel");
    }

    @Test
    void missingDrillPoolIsRefusedAtInit() {
        node.removePool("plakar-drill");
        try (PluginProcess p = PluginProcess.spawn(exporterExecutable(), node.env())) {
            RuntimeException e = assertThrows(RuntimeException.class, () -> p.exporter().init("proxmox+backup", drill()));
            assertTrue(e.getMessage().contains("drill_pool 'plakar-drill' does not exist"), e.getMessage());
        }
        assertTrue(node.auditArgv("qmrestore").isEmpty());
    }

    @Test
    void vmidMapRefusesAnExistingTargetAndOffsetRestoresIsolated() throws Exception {
        byte[] vm = vzdump(node, 100, "zstd");
        byte[] ct = vzdump(node, 101, "zstd");
        String ctPath = "/" + name("lxc", 101, "tar.zst");
        Run mapped = export(node, localConfig(node, dumpDir, "vmid_map", "100:101,101:9101"),
                List.of(file(ctPath, ct), file(vmPath, vm)));
        String err = mapped.error(vmPath);
        assertTrue(err.contains("the target VMID 101 of qemu 100 already exists") && err.contains("never overwrites"), err);
        assertEquals("", mapped.error(ctPath), mapped.stderr());
        assertEquals("running", node.guest(101).status, "the existing target is untouched");
        assertNotNull(node.guest(9101));
        assertTrue(node.auditArgv("qmrestore").isEmpty());

        Run offset = export(node, localConfig(node, dumpDir, "newid_offset", "9000", "link_down", "true", "start_on_restore", "true"),
                List.of(file(vmPath, vm)));
        assertEquals("", offset.error(vmPath), offset.stderr());
        List<String> qr = node.auditArgv("qmrestore").get(0);
        assertEquals("9100", qr.get(2));
        assertTrue(qr.containsAll(List.of("--unique", "1")) && !qr.contains("--force"), qr.toString());
        assertTrue(node.guest(9100).linkDown("net0"), node.guest(9100).nets().toString());
        List<String> qm = qmVerbsFor(9100);
        assertTrue(indexOf(qm, "qm set 9100 --net0") < indexOf(qm, "qm start 9100"), "isolated before the start: " + qm);
        assertEquals("running", node.guest(9100).status);

        Run again = export(node, localConfig(node, dumpDir, "newid_offset", "9000"), List.of(file(vmPath, vm)));
        assertTrue(again.error(vmPath).contains("the target VMID 9100 of qemu 100 already exists"), again.error(vmPath));
    }

    private static int indexOf(List<String> commands, String prefix) {
        for (int i = 0; i < commands.size(); i++) {
            if (commands.get(i).startsWith(prefix)) {
                return i;
            }
        }
        return -1;
    }

    /** Content that holds back everything after {@code gateAt} bytes until the restore tool is paused. */
    private static final class GatedStream extends InputStream {
        private final ByteArrayInputStream in;
        private final long gateAt;
        private final SimulatedCluster.StreamPause pause;
        private long pos;

        GatedStream(byte[] b, long gateAt, SimulatedCluster.StreamPause pause) {
            this.in = new ByteArrayInputStream(b);
            this.gateAt = gateAt;
            this.pause = pause;
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (pos >= gateAt) {
                pause.awaitPaused(Duration.ofSeconds(60));
            } else {
                len = (int) Math.min(len, gateAt - pos);
            }
            int n = in.read(b, off, len);
            if (n > 0) {
                pos += n;
            }
            return n;
        }
    }
}
