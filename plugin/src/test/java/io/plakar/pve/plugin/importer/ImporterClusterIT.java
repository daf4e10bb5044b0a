package io.plakar.pve.plugin.importer;

import io.plakar.pve.testkit.host.BackupOptions;
import io.plakar.pve.testkit.host.PluginProcess;
import io.plakar.pve.testkit.host.Snapshot;
import io.plakar.pve.testkit.sim.SimulatedCluster;
import io.plakar.pve.testkit.sim.Guest;
import io.plakar.pve.testkit.sim.LoopbackSshd;
import io.plakar.pve.testkit.sim.ProcResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static io.plakar.pve.plugin.importer.ImporterItSupport.backup;
import static io.plakar.pve.plugin.importer.ImporterItSupport.cfg;
import static io.plakar.pve.plugin.importer.ImporterItSupport.entryFor;
import static io.plakar.pve.plugin.importer.ImporterItSupport.sha;
import static io.plakar.pve.plugin.importer.ImporterItSupport.spawn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * mode=remote against a two-node cluster: pve1 on 127.0.0.1:P and pve2 on 127.0.0.2:P (same
 * port, as real nodes share {@code conn_port}), both sshds running the simulator on one shared
 * state. The config only names pve1 (the location); every guest must be dumped on its own node,
 * which the simulator's audit.jsonl tells ({@code node} = the PVE_FAKE_NODE of the session).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ImporterClusterIT {
    static final Map<Integer, String> HOME = new LinkedHashMap<>();
    static {
        HOME.put(100, "pve1");
        HOME.put(101, "pve1");
        HOME.put(200, "pve2");
        HOME.put(201, "pve2");
    }
    /** Small disks: 2 MiB + headers, so the {@code slow} fault sleeps twice per dump. */
    static final long DISK = 2L << 20;
    static final int SLOW_MS_PER_MIB = 450;
    /** Lower bound of one slowed dump's duration (two sleeps), with a margin for clock granularity. */
    static final double MIN_SLOW_DUMP_S = 2 * SLOW_MS_PER_MIB / 1000.0 - 0.05;

    SimulatedCluster node;
    LoopbackSshd pve1;
    LoopbackSshd pve2;
    Path knownHosts;
    Path dumpDir;
    final Map<Integer, String> reference = new LinkedHashMap<>();

    @BeforeAll
    void startCluster() throws Exception {
        node = SimulatedCluster.create("empty");
        node.putEnv("PVE_FAKE_NOW", ImporterItSupport.NOW);
        node.addNode("pve1", "127.0.0.1", true).addNode("pve2", "127.0.0.2", true).setLocalNode("pve1");
        for (Map.Entry<Integer, String> e : HOME.entrySet()) {
            int id = e.getKey();
            Guest g = id % 2 == 0 ? Guest.qemu(id, "vm" + id) : Guest.lxc(id, "ct" + id);
            node.addGuest(g.node(e.getValue()).diskBytes(DISK).running());
        }
        pve1 = LoopbackSshd.start(node, "pve1", "127.0.0.1", 0);
        pve2 = LoopbackSshd.start(node, "pve2", "127.0.0.2", pve1.port());
        pve2.trustClientKeysOf(pve1); // one conn_identity_file for the whole cluster
        knownHosts = LoopbackSshd.writeKnownHosts(node.tempRoot().resolve("cluster_known_hosts"), pve1, pve2);
        dumpDir = node.newDumpDir("dump");
        Path refDir = node.newDumpDir("reference");
        for (Map.Entry<Integer, String> e : HOME.entrySet()) {
            // vzdump only dumps guests of the node it runs on: the reference runs on the guest's node too
            ProcResult r = node.runOn(e.getValue(), null, "vzdump", Integer.toString(e.getKey()), "--stdout", "1",
                    "--mode", "snapshot", "--compress", "0", "--dumpdir", refDir.toString());
            assertEquals(0, r.exitCode(), r.stderr());
            reference.put(e.getKey(), sha(r.stdout()));
        }
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
        for (var g : node.guests()) {
            node.updateGuest(g.vmid, x -> x.lock(null));
        }
    }

    /** Only the location (pve1) and the cluster's shared credentials and known_hosts. */
    Map<String, String> config(String... kv) {
        Map<String, String> m = cfg("location", "proxmox+backup://127.0.0.1", "mode", "remote",
                "conn_method", "identity", "conn_username", pve1.username(),
                "conn_identity_file", pve1.identityFile().toString(), "conn_port", Integer.toString(pve1.port()),
                "ssh_known_hosts", knownHosts.toString(), "dump_dir", dumpDir.toString(), "all", "true");
        m.putAll(cfg(kv));
        return m;
    }

    Snapshot run(Map<String, String> config) {
        try (PluginProcess p = spawn(Map.of())) {
            Snapshot s = backup(p, config, BackupOptions.defaults());
            assertTrue(s.importError().isEmpty(), s + "\n" + p.stderr());
            return s;
        }
    }

    /** One vzdump the simulator recorded: vmid (first positional), node it ran on, start time. */
    record Dump(int vmid, String node, double ts) {
    }

    @SuppressWarnings("unchecked")
    List<Dump> vzdumpsSince(int mark) {
        List<Map<String, Object>> audit = node.audit();
        List<Dump> out = new ArrayList<>();
        for (Map<String, Object> a : audit.subList(mark, audit.size())) {
            if ("vzdump".equals(a.get("tool"))) {
                List<Object> argv = (List<Object>) a.get("argv");
                out.add(new Dump(Integer.parseInt((String) argv.get(0)), (String) a.get("node"),
                        ((Number) a.get("ts")).doubleValue()));
            }
        }
        out.sort(Comparator.comparingDouble(Dump::ts));
        return out;
    }

    /** Every listed guest is in the snapshot with the bytes its own node's vzdump writes, dumped there once. */
    void assertDumpedOnTheirNodes(Snapshot s, List<Dump> dumps, List<Integer> vmids) {
        for (int id : vmids) {
            String prefix = "/vzdump-" + (id % 2 == 0 ? "qemu" : "lxc") + "-" + id + "-";
            Snapshot.Entry e = entryFor(s, prefix).orElseThrow(() -> new AssertionError(prefix + " missing: " + s));
            assertTrue(e.ok(), s.toString());
            assertEquals(reference.get(id), e.sha256(), "content of " + id);
            List<Dump> of = dumps.stream().filter(d -> d.vmid() == id).toList();
            assertEquals(1, of.size(), "one vzdump of " + id + ": " + dumps);
            assertEquals(HOME.get(id), of.get(0).node(), "vzdump of " + id + " ran on its own node: " + dumps);
        }
    }

    @Test
    void allGuestsDumpedOnTheirNodesViaClusterStatusAddresses() {
        int mark = node.audit().size();
        Snapshot s = run(config());
        List<Dump> dumps = vzdumpsSince(mark);
        assertEquals(4, s.entries().size(), s.toString());
        assertDumpedOnTheirNodes(s, dumps, List.copyOf(HOME.keySet()));
        assertEquals(4, dumps.size(), dumps.toString());
    }

    @Test
    void nodeHostsOverridesTheClusterStatusAddress() {
        // /cluster/status now sends pve2's traffic to an address where nothing listens
        node.addNode("pve2", "127.0.0.9", true);
        int mark = node.audit().size();
        Snapshot s = run(config("node_hosts", "pve2=127.0.0.2", "ssh_retry_count", "0"));
        List<Dump> dumps = vzdumpsSince(mark);
        assertDumpedOnTheirNodes(s, dumps, List.copyOf(HOME.keySet()));
    }

    @Test
    void nodesDumpInParallelUpToMaxNodesParallelButOneDumpPerNode() {
        node.fault("vzdump", 0, "slow", "delay_ms", SLOW_MS_PER_MIB);

        int mark = node.audit().size();
        Snapshot par = run(config("max_nodes_parallel", "2"));
        List<Dump> parallel = vzdumpsSince(mark);
        assertDumpedOnTheirNodes(par, parallel, List.copyOf(HOME.keySet()));
        assertOneAtATimePerNode(parallel);
        assertTrue(overlap(parallel), "max_nodes_parallel=2: pve1's and pve2's dumps overlap: " + parallel);

        mark = node.audit().size();
        Snapshot seq = run(config());
        List<Dump> sequential = vzdumpsSince(mark);
        assertDumpedOnTheirNodes(seq, sequential, List.copyOf(HOME.keySet()));
        assertOneAtATimePerNode(sequential);
        assertTrue(!overlap(sequential), "default max_nodes_parallel=1: no overlap: " + sequential);
        // one node after the other: the second node starts after the first node's last dump ended
        String first = sequential.get(0).node();
        double lastOfFirst = sequential.stream().filter(d -> d.node().equals(first)).mapToDouble(Dump::ts).max().orElseThrow();
        double firstOfSecond = sequential.stream().filter(d -> !d.node().equals(first)).mapToDouble(Dump::ts).min().orElseThrow();
        assertTrue(firstOfSecond - lastOfFirst >= MIN_SLOW_DUMP_S, "nodes one after the other: " + sequential);
    }

    /** A node's next vzdump never starts before its previous one could have ended (each lasts ≥ MIN_SLOW_DUMP_S). */
    static void assertOneAtATimePerNode(List<Dump> dumps) {
        Map<String, List<Dump>> byNode = dumps.stream().collect(Collectors.groupingBy(Dump::node));
        for (List<Dump> l : byNode.values()) {
            for (int i = 1; i < l.size(); i++) {
                double gap = l.get(i).ts() - l.get(i - 1).ts();
                assertTrue(gap >= MIN_SLOW_DUMP_S, "two vzdumps at once on node " + l.get(i).node() + ": " + dumps);
            }
        }
    }

    /** True when a dump starts on one node while another node's dump certainly still runs. */
    static boolean overlap(List<Dump> dumps) {
        for (Dump a : dumps) {
            for (Dump b : dumps) {
                if (!a.node().equals(b.node()) && b.ts() >= a.ts() && b.ts() - a.ts() < MIN_SLOW_DUMP_S) {
                    return true;
                }
            }
        }
        return false;
    }

    @Test
    void anUnreachableNodeFailsOnlyItsOwnGuests() throws Exception {
        pve2.close();
        try {
            int mark = node.audit().size();
            Snapshot s = run(config("ssh_retry_count", "1", "ssh_retry_delay", "100ms", "max_nodes_parallel", "2"));
            assertDumpedOnTheirNodes(s, vzdumpsSince(mark), List.of(100, 101));
            for (String path : List.of("/vzdump-qemu-200", "/vzdump-lxc-201")) {
                Snapshot.Entry e = s.get(path);
                assertTrue(e.recordError().contains("pve2"), "failed record names the node: " + s);
            }
            assertTrue(vzdumpsSince(mark).stream().noneMatch(d -> d.node().equals("pve2")));
        } finally {
            // same address, port and client keys; new host key, so the cluster's known_hosts is rewritten
            pve2 = LoopbackSshd.start(node, "pve2", "127.0.0.2", pve1.port());
            pve2.trustClientKeysOf(pve1);
            LoopbackSshd.writeKnownHosts(knownHosts, pve1, pve2);
        }
    }

    @Test
    void nodeFilterBacksUpOnlyThatNodesGuests() {
        int mark = node.audit().size();
        Snapshot s = run(config("node", "pve2"));
        List<Dump> dumps = vzdumpsSince(mark);
        assertEquals(2, s.entries().size(), s.toString());
        assertDumpedOnTheirNodes(s, dumps, List.of(200, 201));
        assertEquals(2, dumps.size(), dumps.toString());
    }
}
