package io.plakar.pve.tools.bench;

import io.grpc.stub.StreamObserver;
import io.plakar.pve.proto.connectors.Record;
import io.plakar.pve.proto.importer.ImportRequest;
import io.plakar.pve.proto.importer.ImportResponse;
import io.plakar.pve.proto.importer.ImporterGrpc;
import io.plakar.pve.proto.importer.OpenResponse;
import io.plakar.pve.testkit.host.ImporterClient;
import io.plakar.pve.testkit.host.PluginProcess;
import io.plakar.pve.testkit.sim.SimulatedCluster;
import io.plakar.pve.testkit.sim.Guest;
import io.plakar.pve.testkit.sim.LoopbackSshd;
import io.plakar.pve.tools.measure.RssSampler;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code make bench-cluster}: scale-out over two nodes. A two-node cluster on the loopback sshd
 * (pve1 on 127.0.0.1, pve2 on 127.0.0.2, same port, as {@code ImporterClusterIT}), one VM of N GiB
 * on each. The packaged proxmoxImporter in mode=remote dumps one node's VM alone, then both with
 * {@code max_nodes_parallel=2}, the test host opening every record as soon as it is announced (a
 * plakar with maxconcurrency >= 2 does the same). Prints the aggregate next to the one-node figure
 * of the same run, alternated, N runs (default 2). The node side (sshd, vzdump) shares the same two
 * cores, so the aggregate is bounded by the machine, not by a node. Prints, never asserts.
 * Usage: {@code ClusterBench [GiB per VM, default 2] [runs, default 2]}
 */
public final class ClusterBench {
    public static void main(String[] args) throws Exception {
        long gib = args.length > 0 ? Long.parseLong(args[0]) : 2;
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        System.setProperty("testhost.quiet", "true");
        Path exe = Path.of(System.getProperty("plugin.dist", "plugin/target/dist")).resolve("proxmoxImporter");
        SimulatedCluster node = SimulatedCluster.create("empty");
        try {
            node.putEnv("PVE_FAKE_NOW", "1714557600");
            node.addNode("pve1", "127.0.0.1", true).addNode("pve2", "127.0.0.2", true).setLocalNode("pve1");
            node.addGuest(Guest.qemu(100, "vm100").node("pve1").diskBytes(gib << 30).running());
            node.addGuest(Guest.qemu(200, "vm200").node("pve2").diskBytes(gib << 30).running());
            try (LoopbackSshd pve1 = LoopbackSshd.start(node, "pve1", "127.0.0.1", 0);
                 LoopbackSshd pve2 = LoopbackSshd.start(node, "pve2", "127.0.0.2", pve1.port())) {
                pve2.trustClientKeysOf(pve1);
                Path knownHosts = LoopbackSshd.writeKnownHosts(node.tempRoot().resolve("known_hosts"), pve1, pve2);
                Path dumpDir = node.newDumpDir("bench");
                System.out.printf("bench-cluster: one %d GiB VM per node, mode=remote over the loopback sshd (%s), load %s%n",
                        gib, ImportBench.CIPHER, E2EBench.uptime());
                List<Result> one = new ArrayList<>();
                List<Result> two = new ArrayList<>();
                for (int i = 0; i < runs; i++) {
                    one.add(run(exe, config(pve1, knownHosts, dumpDir, "100", "1")));
                    two.add(run(exe, config(pve1, knownHosts, dumpDir, "100,200", "2")));
                }
                for (int i = 0; i < runs; i++) {
                    System.out.printf("  run %d: one node %6.0f MB/s (peak RSS %d MiB); two nodes, max_nodes_parallel=2: %6.0f MB/s aggregate"
                                    + " (peak RSS %d MiB) = %.2fx one node%n", i + 1, one.get(i).mbps, one.get(i).peakRss >> 20,
                            two.get(i).mbps, two.get(i).peakRss >> 20, two.get(i).mbps / one.get(i).mbps);
                }
                System.out.println("  load after: " + E2EBench.uptime());
            }
        } finally {
            node.close();
        }
    }

    static Map<String, String> config(LoopbackSshd pve1, Path knownHosts, Path dumpDir, String vmids, String parallel) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("location", "proxmox+backup://127.0.0.1");
        m.put("mode", "remote");
        m.put("conn_method", "identity");
        m.put("conn_username", pve1.username());
        m.put("conn_identity_file", pve1.identityFile().toString());
        m.put("conn_port", Integer.toString(pve1.port()));
        m.put("ssh_known_hosts", knownHosts.toString());
        m.put("ssh_cipher", ImportBench.CIPHER);
        m.put("vmid", vmids);
        m.put("max_nodes_parallel", parallel);
        m.put("dump_dir", dumpDir.toString());
        return m;
    }

    record Result(double mbps, long peakRss) {
    }

    /** Import; every record is opened on its own thread as it arrives; timed from the first record to the last byte. */
    static Result run(Path exe, Map<String, String> config) throws Exception {
        ExecutorService readers = Executors.newCachedThreadPool();
        try (PluginProcess p = PluginProcess.spawn(exe, Map.of())) {
            ImporterClient c = p.importer();
            c.init("proxmox+backup", config, 4);
            RssSampler rss = RssSampler.start(p.pid());
            LinkedBlockingQueue<Object> events = new LinkedBlockingQueue<>();
            StreamObserver<ImportRequest> acks = ImporterGrpc.newStub(p.channel()).import_(new StreamObserver<>() {
                @Override
                public void onNext(ImportResponse v) {
                    events.add(v.getFinished() ? "finished" : v.getRecord());
                }

                @Override
                public void onError(Throwable t) {
                    events.add(t);
                }

                @Override
                public void onCompleted() {
                }
            });
            AtomicLong total = new AtomicLong();
            List<Future<Record>> opened = new ArrayList<>();
            long t0 = 0;
            while (true) {
                Object ev = events.poll(10, TimeUnit.MINUTES);
                if ("finished".equals(ev)) {
                    break;
                }
                if (!(ev instanceof Record rec) || !rec.getError().isEmpty()) {
                    throw new IllegalStateException("no good record: " + ev + "\n" + p.stderr());
                }
                if (t0 == 0) {
                    t0 = System.nanoTime();
                }
                opened.add(readers.submit(() -> {
                    Iterator<OpenResponse> it = c.open(rec.getPathname());
                    while (it.hasNext()) {
                        total.addAndGet(it.next().getChunk().size());
                    }
                    return rec;
                }));
            }
            for (Future<Record> f : opened) {
                Record rec = f.get(30, TimeUnit.MINUTES);
                acks.onNext(ImportRequest.newBuilder()
                        .setResult(io.plakar.pve.proto.connectors.Result.newBuilder().setHeader(rec)).build());
            }
            long t = System.nanoTime() - t0;
            long peak = rss.stop();
            acks.onCompleted();
            c.close();
            p.closeAndWait(Duration.ofSeconds(30));
            return new Result(ImportBench.mbps(total.get(), t), peak);
        } finally {
            readers.shutdownNow();
        }
    }
}
