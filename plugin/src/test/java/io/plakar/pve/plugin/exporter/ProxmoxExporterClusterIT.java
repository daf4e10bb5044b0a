package io.plakar.pve.plugin.exporter;

import io.grpc.StatusRuntimeException;
import io.plakar.pve.testkit.host.ExportItem;
import io.plakar.pve.testkit.host.ExporterClient;
import io.plakar.pve.testkit.host.PluginProcess;
import io.plakar.pve.testkit.sim.SimulatedCluster;
import io.plakar.pve.testkit.sim.Guest;
import io.plakar.pve.testkit.sim.LoopbackSshd;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.plakar.pve.plugin.exporter.ExporterFixture.Run;
import static io.plakar.pve.plugin.exporter.ExporterFixture.file;
import static io.plakar.pve.plugin.exporter.ExporterFixture.name;
import static io.plakar.pve.plugin.exporter.ExporterFixture.restoresFor;
import static io.plakar.pve.plugin.exporter.ExporterFixture.sha256;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * mode=remote restores with {@code node=<another cluster node>}: the location names pve1
 * (127.0.0.1:P), the restore must run on pve2 (127.0.0.2:P, same port), whose address comes
 * from {@code node_hosts} or from pve1's {@code pvesh get /cluster/status}. The simulator's
 * audit.jsonl records the node each qmrestore / pct ran on (the session's PVE_FAKE_NODE).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProxmoxExporterClusterIT {
    SimulatedCluster node;
    LoopbackSshd pve1;
    LoopbackSshd pve2;
    Path knownHosts;
    Path dumpDir;
    byte[] vm;
    byte[] ct;

    @BeforeAll
    void startCluster() throws Exception {
        node = SimulatedCluster.create("empty");
        node.addNode("pve1", "127.0.0.1", true).addNode("pve2", "127.0.0.2", true).setLocalNode("pve1");
        node.addGuest(Guest.qemu(200, "vm200").node("pve2").diskBytes(1L << 20).stopped());
        node.addGuest(Guest.lxc(201, "ct201").node("pve2").diskBytes(1L << 20).stopped());
        // the dumps a backup of pve2 would hold (vzdump only dumps guests of its own node)
        vm = vzdumpOn("pve2", 200);
        ct = vzdumpOn("pve2", 201);
        pve1 = LoopbackSshd.start(node, "pve1", "127.0.0.1", 0);
        pve2 = LoopbackSshd.start(node, "pve2", "127.0.0.2", pve1.port());
        pve2.trustClientKeysOf(pve1);
        knownHosts = LoopbackSshd.writeKnownHosts(node.tempRoot().resolve("cluster_known_hosts"), pve1, pve2);
        dumpDir = node.newDumpDir("staging");
    }

    byte[] vzdumpOn(String nodeName, int vmid) {
        var r = node.runOn(nodeName, null, "vzdump", Integer.toString(vmid), "--stdout", "1", "--compress", "0",
                "--dumpdir", node.newDumpDir("ref").toString());
        assertEquals(0, r.exitCode(), r.toString());
        return r.stdout();
    }

    @AfterAll
    void stopCluster() {
        pve2.close();
        pve1.close();
        node.close();
    }

    @BeforeEach
    void reset() {
        node.clearFaults();
        node.addNode("pve2", "127.0.0.2", true);
        node.removeGuest(200).removeGuest(201);
    }

    Map<String, String> remote(String... kv) {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("location", "proxmox+backup://127.0.0.1");
        c.put("mode", "remote");
        c.put("conn_method", "identity");
        c.put("conn_username", pve1.username());
        c.put("conn_identity_file", pve1.identityFile().toString());
        c.put("conn_port", Integer.toString(pve1.port()));
        c.put("ssh_known_hosts", knownHosts.toString());
        c.put("dump_dir", dumpDir.toString());
        c.put("ssh_retry_count", "0");
        for (int i = 0; i < kv.length; i += 2) {
            c.put(kv[i], kv[i + 1]);
        }
        return c;
    }

    static final String VM_PATH = "/" + name("qemu", 200, "vma");
    static final String CT_PATH = "/" + name("lxc", 201, "tar");

    /** Nodes the given restore tool ran on since audit line {@code mark}. */
    @SuppressWarnings("unchecked")
    List<String> nodesOf(int mark, String tool, String firstArg) {
        List<Map<String, Object>> audit = node.audit();
        return audit.subList(mark, audit.size()).stream()
                .filter(a -> tool.equals(a.get("tool")))
                .filter(a -> firstArg == null || firstArg.equals(((List<Object>) a.get("argv")).get(0)))
                .map(a -> (String) a.get("node")).toList();
    }

    void assertRestoredOnPve2(Run run, int mark) {
        assertEquals("", run.error(VM_PATH), run.stderr());
        assertEquals(List.of("pve2"), nodesOf(mark, "qmrestore", null), run.stderr());
        Guest g = node.guest(200);
        assertNotNull(g, "VM 200 restored");
        assertEquals("pve2", g.node);
        assertEquals(sha256(vm), restoresFor(node, 200).get(restoresFor(node, 200).size() - 1).get("sha256_uncompressed"));
    }

    @Test
    void restoreRunsOnTheNamedNodeReachedThroughClusterStatus() {
        int mark = node.audit().size();
        Run run = ExporterFixture.export(node, remote("node", "pve2"),
                List.of(ExportItem.directory("/"), file(CT_PATH, ct), file(VM_PATH, vm)));
        assertRestoredOnPve2(run, mark);
        assertEquals("", run.error(CT_PATH), run.stderr());
        assertEquals(List.of("pve2"), nodesOf(mark, "pct", "restore"), run.stderr());
        assertEquals("pve2", node.guest(201).node);
        assertTrue(nodesOf(mark, "qm", "status").stream().allMatch("pve2"::equals), "guest checks on pve2 too");
        assertEquals(List.of(), node.listDumpDir(dumpDir), "staged files cleaned up");
    }

    @Test
    void nodeHostsWinsOverClusterStatus() {
        node.addNode("pve2", "127.0.0.9", true); // /cluster/status now points at nothing
        int mark = node.audit().size();
        Run run = ExporterFixture.export(node, remote("node", "pve2", "node_hosts", "pve2=127.0.0.2"),
                List.of(file(VM_PATH, vm)));
        assertRestoredOnPve2(run, mark);
    }

    @Test
    void streamedRestoreRunsOnTheNamedNodeToo() {
        int mark = node.audit().size();
        Run run = ExporterFixture.export(node, remote("node", "pve2", "restore_transport", "stream"),
                List.of(file(VM_PATH, vm)));
        assertRestoredOnPve2(run, mark);
        assertEquals("-", restoresFor(node, 200).get(restoresFor(node, 200).size() - 1).get("archive"));
    }

    @Test
    void theLocationsOwnNodeStaysOnTheLocation() {
        int mark = node.audit().size();
        Run run = ExporterFixture.export(node, remote("node", "pve1"), List.of(file(VM_PATH, vm)));
        assertEquals("", run.error(VM_PATH), run.stderr());
        assertEquals(List.of("pve1"), nodesOf(mark, "qmrestore", null), run.stderr());
        assertEquals("pve1", node.guest(200).node);
    }

    @Test
    void aNodeOutsideTheClusterIsRefusedAtInit() {
        int mark = node.audit().size();
        try (PluginProcess p = PluginProcess.spawn(ExporterFixture.exporterExecutable(), Map.of())) {
            ExporterClient c = p.exporter();
            String msg = assertThrows(StatusRuntimeException.class, () -> c.init("proxmox+backup", remote("node", "pve7")))
                    .getStatus().getDescription();
            assertTrue(msg.contains("pve7") && msg.contains("pve1") && msg.contains("pve2") && msg.contains("node_hosts"), msg);
        }
        assertEquals(List.of(), nodesOf(mark, "qmrestore", null));
        assertEquals(List.of(), nodesOf(mark, "qm", null));
    }
}
