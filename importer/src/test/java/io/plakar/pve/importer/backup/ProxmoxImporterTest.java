package io.plakar.pve.importer.backup;

import io.plakar.pve.runner.CommandResult;
import io.plakar.pve.proxmox.Cluster;
import io.plakar.pve.proxmox.Resources;
import io.plakar.pve.runner.Runner;
import io.plakar.pve.runner.RunningCommand;
import io.plakar.pve.sdk.ConnectorException;
import io.plakar.pve.sdk.Record;
import io.plakar.pve.sdk.RecordSink;
import io.plakar.pve.sdk.Result;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Scheduling and routing of the importer with fake runners (no processes): one dump per node, nodes in parallel. */
class ProxmoxImporterTest {
    static final String RESOURCES = "[{\"vmid\":100,\"type\":\"qemu\",\"node\":\"pve1\"},{\"vmid\":101,\"type\":\"qemu\",\"node\":\"pve1\"},"
            + "{\"vmid\":102,\"type\":\"qemu\",\"node\":\"pve2\"},{\"vmid\":103,\"type\":\"qemu\",\"node\":\"pve2\"}]";
    static final String STATUS = "[{\"type\":\"node\",\"name\":\"pve1\",\"ip\":\"10.0.0.11\",\"local\":1},"
            + "{\"type\":\"node\",\"name\":\"pve2\",\"ip\":\"10.0.0.12\",\"local\":0}]";

    final AtomicInteger alive = new AtomicInteger();
    final AtomicInteger maxAlive = new AtomicInteger();
    final Map<String, AtomicInteger> alivePerNode = new HashMap<>();
    final Map<String, AtomicInteger> maxPerNode = new HashMap<>();
    final List<String> dumpedOn = Collections.synchronizedList(new ArrayList<>());
    final AtomicInteger kills = new AtomicInteger();

    Map<String, String> remote(String... kv) {
        Map<String, String> m = new LinkedHashMap<>(Map.of("location", "proxmox+backup://10.0.0.11", "mode", "remote",
                "conn_method", "agent", "conn_username", "root", "ssh_insecure_ignore_host_key", "true", "ssh_transport", "openssh"));
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    ProxmoxImporter importer(Map<String, String> cfg) throws ConnectorException {
        ProxmoxImporterConfig c = ProxmoxImporterConfig.read(cfg);
        Map<String, Runner> runners = Map.of("pve1", new FakeRunner("pve1"), "pve2", new FakeRunner("pve2"));
        Cluster nodes = new Cluster() {
            final Resources inventory = new Resources(runners.get("pve1"));

            @Override
            public boolean local() {
                return false;
            }

            @Override
            public Runner entry() {
                return runners.get("pve1");
            }

            @Override
            public Resources inventory() {
                return inventory;
            }

            @Override
            public String entryNode() {
                return "pve1";
            }

            @Override
            public Runner forNode(String node) {
                return runners.get(node);
            }

            @Override
            public void close() {
            }
        };
        return new ProxmoxImporter(c, nodes, Clock.systemUTC(), ZoneOffset.UTC);
    }

    /** A host that opens and reads every record as it arrives, then acknowledges it. */
    List<Record> backup(ProxmoxImporter imp, boolean open) throws Exception {
        List<Record> records = Collections.synchronizedList(new ArrayList<>());
        ExecutorService host = Executors.newFixedThreadPool(8);
        List<Future<?>> reads = Collections.synchronizedList(new ArrayList<>());
        imp.scan(new RecordSink() {
            @Override
            public void emit(Record r) {
                records.add(r);
                reads.add(host.submit(() -> {
                    if (open && r.hasReader()) {
                        try (InputStream in = imp.open(r.pathname())) {
                            in.transferTo(OutputStream.nullOutputStream());
                        }
                    }
                    imp.acknowledge(Result.ok(r));
                    return null;
                }));
            }

            @Override
            public boolean cancelled() {
                return false;
            }
        });
        for (Future<?> f : new ArrayList<>(reads)) {
            f.get();
        }
        host.shutdown();
        return records;
    }

    @Test
    void guestsAreDumpedOnTheirNodeOneAtATimeNodesInParallel() throws Exception {
        List<Record> records = backup(importer(remote("all", "true", "max_nodes_parallel", "2")), true);
        assertEquals(4, records.size());
        assertTrue(records.stream().noneMatch(Record::hasError), records.toString());
        assertEquals(List.of("pve1:100", "pve1:101"), dumpedOn.stream().filter(s -> s.startsWith("pve1")).toList());
        assertEquals(List.of("pve2:102", "pve2:103"), dumpedOn.stream().filter(s -> s.startsWith("pve2")).toList());
        assertEquals(1, maxPerNode.get("pve1").get());
        assertEquals(1, maxPerNode.get("pve2").get());
        assertTrue(maxAlive.get() <= 2);
    }

    @Test
    void maxNodesParallelOneMeansOneDumpAtATime() throws Exception {
        backup(importer(remote("vmid", "100,102,101,103")), true);
        assertEquals(4, dumpedOn.size());
        assertEquals(1, maxAlive.get());
    }

    @Test
    void acknowledgementWithoutOpenKillsTheDump() throws Exception {
        List<Record> records = backup(importer(remote("vmid", "100,101")), false);
        assertEquals(2, records.size());
        assertEquals(2, kills.get());
        assertEquals(0, alive.get());
    }

    /** A node whose pvesh answers from fixtures and whose vzdump streams 4 MiB of VMA. */
    final class FakeRunner implements Runner {
        final String node;

        FakeRunner(String node) {
            this.node = node;
            alivePerNode.put(node, new AtomicInteger());
            maxPerNode.put(node, new AtomicInteger());
        }

        @Override
        public String describe() {
            return "fake " + node;
        }

        @Override
        public CommandResult run(List<String> argv, Duration timeout) {
            String out = argv.contains("/cluster/resources") ? RESOURCES : argv.contains("/cluster/status") ? STATUS : "{}";
            return new CommandResult(argv, 0, out, "");
        }

        @Override
        public RunningCommand start(List<String> argv, LineListener stderrLines) {
            assertEquals("vzdump", argv.get(0));
            dumpedOn.add(node + ":" + argv.get(1));
            int a = alive.incrementAndGet();
            maxAlive.accumulateAndGet(a, Math::max);
            int n = alivePerNode.get(node).incrementAndGet();
            maxPerNode.get(node).accumulateAndGet(n, Math::max);
            return new RunningCommand() {
                final InputStream data = new InputStream() {
                    long left = 4 << 20;
                    boolean first = true;

                    @Override
                    public int read() {
                        throw new UnsupportedOperationException();
                    }

                    @Override
                    public int read(byte[] b, int off, int len) throws IOException {
                        if (done) {
                            throw new IOException("killed");
                        }
                        if (left == 0) {
                            return -1;
                        }
                        int k = (int) Math.min(len, left);
                        if (first && k >= 4) {
                            b[off] = 'V';
                            b[off + 1] = 'M';
                            b[off + 2] = 'A';
                            b[off + 3] = 0;
                            first = false;
                        }
                        left -= k;
                        return k;
                    }
                };
                volatile boolean done;

                void exit() {
                    if (!done) {
                        done = true;
                        alive.decrementAndGet();
                        alivePerNode.get(node).decrementAndGet();
                    }
                }

                @Override
                public InputStream stdout() {
                    return data;
                }

                @Override
                public OutputStream stdin() {
                    return new ByteArrayOutputStream();
                }

                @Override
                public int waitFor(Duration timeout) {
                    boolean killed = done;
                    exit();
                    return killed ? -1 : 0;
                }

                @Override
                public List<String> lastStderrLines() {
                    return List.of();
                }

                @Override
                public void kill() {
                    if (!done) {
                        kills.incrementAndGet();
                    }
                    exit();
                }

                @Override
                public boolean isAlive() {
                    return !done;
                }

                @Override
                public void close() {
                    exit();
                }
            };
        }

        @Override
        public void close() {
        }
    }
}
