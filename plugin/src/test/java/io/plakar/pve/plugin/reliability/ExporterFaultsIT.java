package io.plakar.pve.plugin.reliability;

import io.plakar.pve.proto.connectors.Result;
import io.plakar.pve.testkit.host.ExportAborter;
import io.plakar.pve.testkit.host.ExportItem;
import io.plakar.pve.testkit.sim.SimulatedCluster;
import io.plakar.pve.testkit.sim.LoopbackSshd;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
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
 * Faults during a restore, through the packaged proxmoxExporter, local and remote: the
 * faulted guest gets a clear per-record error, the other guest is restored byte for byte,
 * no staged file and no child process is left behind.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ExporterFaultsIT {
    enum Mode { LOCAL, REMOTE }

    SimulatedCluster node;
    LoopbackSshd sshd;
    Path dumpDir;
    byte[] vm;
    byte[] ct;
    final String vmPath = "/" + Rel.dumpName("qemu", 100, "vma");
    final String ctPath = "/" + Rel.dumpName("lxc", 101, "tar");

    @BeforeAll
    void start() throws Exception {
        node = Rel.node();
        node.updateGuest(101, g -> g.diskBytes(1L << 20));
        sshd = LoopbackSshd.start(node);
        dumpDir = node.newDumpDir("restore");
        vm = Rel.reference(node, 100, "0");
        ct = Rel.reference(node, 101, "0");
    }

    @AfterAll
    void stop() {
        sshd.close();
        node.close();
        Capture.assertNoLeaks();
    }

    int restoresBefore;

    @BeforeEach
    void reset() {
        restoresBefore = node.restores().size();
        node.clearFaults();
        node.removeGuest(100).removeGuest(101);
    }

    Map<String, String> config(Mode m, Path dir, String... kv) {
        Map<String, String> c = m == Mode.LOCAL ? Rel.local(node, dir) : Rel.remote(sshd, dir, "node", node.localNode());
        c.putAll(Rel.cfg(kv));
        return c;
    }

    Rel.Plugin spawn(Mode m, String label) {
        return new Rel.Plugin(Rel.exporterExe(), m == Mode.LOCAL ? node.env() : Map.of(), "exporter " + label + " " + m);
    }

    /** True when the simulator's last restore of this guest (in this test) read exactly these bytes and succeeded. */
    boolean restoredIntact(int vmid, byte[] content) {
        Map<String, Object> last = null;
        List<Map<String, Object>> all = node.restores();
        for (Map<String, Object> r : all.subList(restoresBefore, all.size())) {
            if (String.valueOf(r.get("vmid")).equals(Integer.toString(vmid))) {
                last = r;
            }
        }
        return last != null && Boolean.TRUE.equals(last.get("ok")) && Rel.sha(content).equals(last.get("sha256_uncompressed"));
    }

    /** Leftovers: plugin children, sshd session commands, restore tools, staged files. */
    List<String> leftovers(Rel.Plugin p, Mode m, Path dir) {
        List<String> l = new ArrayList<>(Procs.awaitNone(() -> Procs.descendants(p.pid()), Duration.ofSeconds(10)));
        if (m == Mode.REMOTE) {
            l.addAll(Procs.awaitNone(() -> Procs.sessionCommands(sshd.pid()), Duration.ofSeconds(10)));
        }
        Rel.awaitEmpty(dir, Duration.ofSeconds(10)).forEach(f -> l.add("staged file " + f));
        return l;
    }

    /** Runs one restore of [failing guest, good guest] with a fault; checks every invariant. */
    void run(Mode m, String scenario, Path dir, Map<String, String> config, List<ExportItem> items, String failing,
             String good, int goodVmid, byte[] goodBytes, String expect, Consumer<Rel.Plugin> during) throws Exception {
        List<Result> results;
        List<String> left;
        try (Rel.Plugin p = spawn(m, scenario)) {
            CompletableFuture<Void> side = during == null ? CompletableFuture.completedFuture(null)
                    : CompletableFuture.runAsync(() -> during.accept(p));
            results = Rel.export(p, config, items);
            side.join();
            left = leftovers(p, m, dir);
            p.finish();
        }
        String err = error(results, failing);
        boolean goodOk = error(results, good).isEmpty() && restoredIntact(goodVmid, goodBytes);
        FiguresReport.fault("restore", scenario, m.name().toLowerCase(), 1,
                err.isEmpty() ? "reported success!" : "failed record (`" + expect + "`), other guest restored", goodOk ? 0 : goodBytes.length);
        assertFalse(err.isEmpty(), "the faulted restore must be a failed record: " + results);
        assertTrue(err.contains(expect), "clear error expected (" + expect + "): " + err);
        assertTrue(goodOk, "the other guest must be restored intact: " + results + " " + node.restores());
        assertTrue(left.isEmpty(), "left behind: " + left);
    }

    static String error(List<Result> results, String path) {
        return results.stream().filter(r -> r.getHeader().getPathname().equals(path)).findFirst()
                .orElseThrow(() -> new AssertionError("no result for " + path + " in " + results)).getError();
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void qmrestoreFailsMidRead(Mode m) throws Exception {
        node.fault("qmrestore", 100, "fail_after_bytes", "bytes", 65536);
        run(m, "qmrestore fails after reading 64 KiB", dumpDir, config(m, dumpDir),
                List.of(ExportItem.directory("/"), Rel.file(ctPath, ct), Rel.file(vmPath, vm)),
                vmPath, ctPath, 101, ct, "qmrestore of VM 100 failed", null);
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void pctRestoreFails(Mode m) throws Exception {
        node.fault("pct", 101, "fail_before", "message", "storage 'local-lvm' is not online");
        run(m, "pct restore fails before reading", dumpDir, config(m, dumpDir),
                List.of(ExportItem.directory("/"), Rel.file(ctPath, ct), Rel.file(vmPath, vm)),
                ctPath, vmPath, 100, vm, "pct restore of CT 101 failed", null);
    }

    @Test
    void sshConnectionDroppedMidStaging() throws Exception {
        run(Mode.REMOTE, "SSH connection dropped mid-staging", dumpDir, config(Mode.REMOTE, dumpDir),
                List.of(ExportItem.directory("/"), Rel.slowFile(vmPath, vm, vm.length, 256 << 10, 60), Rel.file(ctPath, ct)),
                vmPath, ctPath, 101, ct, "partial file removed", p -> {
                    // drop once the staged file holds 1 MiB: the connection dies in the middle of the copy
                    long end = System.nanoTime() + 30_000_000_000L;
                    while (System.nanoTime() < end && Rel.files(dumpDir).stream().noneMatch(f -> f.toFile().length() >= 1 << 20)) {
                        Procs.sleep(20);
                    }
                    sshd.dropConnections();
                });
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void dumpDirFull(Mode m) throws Exception {
        try (Tmpfs full = Tmpfs.mount(node.tempRoot(), "4m")) {
            assumeTrue(full != null, "mounting a 4 MiB tmpfs is not permitted here: dump_dir-full scenario skipped");
            // the record says 1 KiB: the free-space check passes and the write itself hits ENOSPC
            ExportItem liar = ExportItem.file(vmPath, 1024, Rel.MTIME, () -> new java.io.ByteArrayInputStream(vm));
            // remote: the cause ("cat: write error: No space left on device") sometimes loses the race against the
            // local "Stream closed" (reported to the exporter owner); the staging failure itself is always named
            run(m, "dump_dir full while staging (4 MiB tmpfs, size understated)", full.dir, config(m, full.dir),
                    List.of(ExportItem.directory("/"), liar, Rel.file(ctPath, ct)), vmPath, ctPath, 101, ct,
                    m == Mode.LOCAL ? "No space left on device" : "partial file removed", null);
            node.removeGuest(101);
            restoresBefore = node.restores().size();
            run(m, "dump_dir too small for the declared size", full.dir, config(m, full.dir),
                    List.of(ExportItem.directory("/"), Rel.file(vmPath, vm), Rel.file(ctPath, ct)), vmPath, ctPath, 101, ct,
                    "not enough free space", null);
        }
    }

    @ParameterizedTest
    @CsvSource({"LOCAL,stage", "LOCAL,stream", "REMOTE,stage", "REMOTE,stream"})
    void hostAbortsTheRestore(Mode m, String transport) throws Exception {
        String scenario = "host aborts the Export mid-content";
        List<String> left;
        boolean secondOk;
        io.plakar.pve.testkit.host.ExporterClient.Outcome o;
        try (Rel.Plugin p = spawn(m, scenario)) {
            var c = p.process.exporter();
            c.init("proxmox+backup", config(m, dumpDir, "restore_transport", transport));
            o = ExportAborter.exportAndAbort(p.process.channel(),
                    List.of(ExportItem.directory("/"), Rel.slowFile(vmPath, vm, vm.length, 256 << 10, 30)), vmPath, 2 << 20);
            Capture.results(p.label, o.results());
            Capture.text(p.label + " status", o.endStatus());
            left = leftovers(p, m, dumpDir);
            // the same plugin then restores the other guest
            List<Result> second = c.export(List.of(Rel.file(ctPath, ct)));
            Capture.results(p.label, second);
            secondOk = error(second, ctPath).isEmpty() && restoredIntact(101, ct);
            left.addAll(leftovers(p, m, dumpDir));
            p.finish();
        }
        boolean vmRestored = restoredIntact(100, vm);
        FiguresReport.fault("restore", scenario + " (after 2 MiB)", m.name().toLowerCase() + "/" + transport, 1,
                vmRestored ? "VM restored from a partial stream!" : "nothing restored from the partial dump; next Export fine",
                secondOk ? 0 : ct.length);
        assertTrue(o.aborted());
        assertFalse(vmRestored, "a partial dump must not become a restored guest");
        assertTrue(left.isEmpty(), "left behind after the abort: " + left);
        assertTrue(secondOk, "the plugin must restore the next guest after an aborted Export");
    }
}
