package io.plakar.pve.plugin.importer;

import io.grpc.StatusRuntimeException;
import io.plakar.pve.testkit.host.BackupOptions;
import io.plakar.pve.testkit.host.PluginProcess;
import io.plakar.pve.testkit.host.Snapshot;
import io.plakar.pve.testkit.sim.SimulatedCluster;
import io.plakar.pve.testkit.sim.LoopbackSshd;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

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
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The packaged proxmoxImporter in mode=remote, through a real OpenSSH sshd on 127.0.0.1 whose sessions run the simulator. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ImporterRemoteIT {
    SimulatedCluster node;
    LoopbackSshd sshd;
    Path dumpDir;

    @BeforeAll
    void startSshd() throws Exception {
        node = ImporterItSupport.node();
        sshd = LoopbackSshd.start(node);
        dumpDir = node.newDumpDir("dump");
    }

    @AfterAll
    void stop() {
        sshd.close();
        node.close();
    }

    @BeforeEach
    void reset() {
        node.clearFaults();
        for (var g : node.guests()) {
            node.updateGuest(g.vmid, x -> x.lock(null));
        }
    }

    Map<String, String> key(String... kv) {
        Map<String, String> m = cfg("location", "proxmox+backup://127.0.0.1", "mode", "remote",
                "conn_method", "identity", "conn_username", sshd.username(),
                "conn_identity_file", sshd.identityFile().toString(), "conn_port", Integer.toString(sshd.port()),
                "ssh_known_hosts", sshd.knownHostsFile().toString(), "dump_dir", dumpDir.toString());
        m.putAll(cfg(kv));
        return m;
    }

    Snapshot run(Map<String, String> config, BackupOptions o) {
        try (PluginProcess p = spawn(Map.of())) {
            return backup(p, config, o);
        }
    }

    /**
     * A slow host must slow vzdump over SSH too. The channel's window is shared by stdout and
     * stderr, and vzdump's progress lines keep arriving on stderr while the host is not reading:
     * stderr reads must not re-open the window for stdout, or the dump piles up in the plugin's
     * memory (sshj failed with "Attempted overflow" at 1.5 GiB before this was handled).
     */
    @Test
    void slowHostSlowsVzdumpOverSshWithoutBufferingTheDump() {
        node.updateGuest(100, g -> g.diskBytes(160L << 20));
        try (PluginProcess p = spawn(Map.of("PLAKAR_PVE_HEAP", "-Xmx96m"))) {
            io.plakar.pve.tools.measure.RssSampler rss = io.plakar.pve.tools.measure.RssSampler.start(p.pid());
            Snapshot s = backup(p, key("vmid", "100"), BackupOptions.defaults().readDelayPerChunk(60));
            long peak = rss.stop();
            var e = entryFor(s, "/vzdump-qemu-100-").orElseThrow();
            assertTrue(e.ok(), s.toString());
            assertTrue(e.size() > 160L << 20, "whole dump read: " + e.size());
            assertTrue(peak < 230L << 20, "the dump was buffered in the plugin: peak RSS " + (peak >> 20) + " MiB");
        } finally {
            node.updateGuest(100, g -> g.diskBytes(8L << 20));
        }
    }

    @Test
    void keyAuthDumpsVmAndContainer(@TempDir Path store) throws Exception {
        Snapshot s = run(key("vmid", "100,101", "backup_compression", "zstd"), BackupOptions.defaults().storeContent(store));
        assertEquals("", s.importError());
        Snapshot.Entry vm = entryFor(s, "/vzdump-qemu-100-").orElseThrow(() -> new AssertionError(s.toString()));
        Snapshot.Entry ct = entryFor(s, "/vzdump-lxc-101-").orElseThrow(() -> new AssertionError(s.toString()));
        assertTrue(vm.ok() && ct.ok(), s.toString());
        assertTrue(vm.path().endsWith(".vma.zst") && ct.path().endsWith(".tar.zst"), s.toString());
        assertEquals(sha(reference(node, 100, "zstd", dumpDir)), vm.sha256());
        assertEquals(sha(reference(node, 101, "zstd", dumpDir)), ct.sha256());
        assertEquals(sha(reference(node, 101, "0", dumpDir)), decompressedSha(ct.contentFile()));
    }

    @Test
    void passwordAuthAndPinnedFingerprint() throws Exception {
        assumeTrue(sshd.password() != null, "password auth needs the root-created test user");
        Map<String, String> c = key("vmid", "101", "conn_method", "password", "conn_password", sshd.password(),
                "ssh_host_key_fingerprint", sshd.hostKeyFingerprint());
        c.remove("conn_identity_file");
        c.remove("ssh_known_hosts");
        Snapshot s = run(c, BackupOptions.defaults());
        Snapshot.Entry ct = entryFor(s, "/vzdump-lxc-101-").orElseThrow(() -> new AssertionError(s.toString()));
        assertTrue(ct.ok(), s.toString());
        assertEquals(sha(reference(node, 101, "0", dumpDir)), ct.sha256());
    }

    @Test
    void hostKeyMismatchIsRefusedBeforeAnyCommand(@TempDir Path tmp) throws Exception {
        Path other = tmp.resolve("other");
        Process kg = new ProcessBuilder("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", other.toString()).start();
        assertEquals(0, kg.waitFor());
        Path kh = tmp.resolve("known_hosts");
        Files.writeString(kh, "[127.0.0.1]:" + sshd.port() + " " + Files.readString(Path.of(other + ".pub")).trim() + "\n");
        int before = node.audit().size();
        try (PluginProcess p = spawn(Map.of())) {
            var c = p.importer();
            c.init("proxmox+backup", key("vmid", "100", "ssh_known_hosts", kh.toString()));
            String msg = assertThrows(StatusRuntimeException.class, c::ping).getStatus().getDescription();
            assertTrue(msg.toLowerCase().contains("host key"), msg);
            Snapshot s = c.backup();
            assertFalse(s.importError().isEmpty(), s.toString());
        }
        assertEquals(before, node.audit().size(), "no command may run on a host with the wrong key");
    }

    @Test
    void failuresReachTheSnapshotAsFailedFiles() {
        node.fault("vzdump", 100, "fail_after_bytes", "bytes", 2 << 20, "message", "broken disk");
        node.fault("vzdump", 101, "refuse_stdout");
        Snapshot s = run(key("vmid", "100,101,555"), BackupOptions.defaults());
        Snapshot.Entry vm = entryFor(s, "/vzdump-qemu-100-").orElseThrow(() -> new AssertionError(s.toString()));
        assertTrue(vm.openError().contains("VM 100") && vm.openError().contains("broken disk"), vm.openError());
        Snapshot.Entry ct = entryFor(s, "/vzdump-lxc-101-").orElseThrow(() -> new AssertionError(s.toString()));
        assertTrue(ct.ok(), "refused --stdout falls back to dump_dir: " + s);
        assertTrue(s.get("/vzdump-555").recordError().contains("does not exist"));
    }

    @Test
    void droppedConnectionAndCancelKillTheRemoteVzdump() throws Exception {
        node.updateGuest(100, g -> g.diskBytes(256L << 20));
        node.fault("vzdump", 100, "slow", "delay_ms", 20);
        Snapshot s = run(key("vmid", "100"), BackupOptions.defaults().cancelOpen(p -> true, 2 << 20));
        assertFalse(entryFor(s, "/vzdump-qemu-100-").orElseThrow().ok(), s.toString());
        ImporterItSupport.waitNoVzdump(node);
        assertTrue(ImporterItSupport.liveVzdumps(node).isEmpty(), "remote vzdump left running after cancel");

        node.updateGuest(100, g -> g.lock(null));
        // the drop lands mid-dump: vzdump pauses after 4 MiB, the connection dies, vzdump goes on
        SimulatedCluster.StreamPause pause = node.pauseAfterBytes("vzdump", 100, 4L << 20);
        CompletableFuture<Void> drop = CompletableFuture.runAsync(() -> {
            pause.awaitPaused(java.time.Duration.ofSeconds(60));
            sshd.dropConnections();
            pause.resume();
        });
        Snapshot dropped = run(key("vmid", "100"), BackupOptions.defaults());
        drop.join();
        Snapshot.Entry e = dropped.entries().get(0);
        assertFalse(e.ok(), "a dropped connection must fail the file: " + dropped);
        ImporterItSupport.waitNoVzdump(node);
    }
}
