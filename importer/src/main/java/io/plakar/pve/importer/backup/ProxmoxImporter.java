package io.plakar.pve.importer.backup;

import io.plakar.pve.proxmox.NodePing;
import io.plakar.pve.proxmox.Cluster;
import io.plakar.pve.proxmox.DumpName;
import io.plakar.pve.proxmox.NodePing;
import io.plakar.pve.proxmox.Guest;
import io.plakar.pve.importer.backup.GuestResolver.Target;
import io.plakar.pve.proxmox.Resources;
import io.plakar.pve.runner.Runner;
import io.plakar.pve.sdk.ConnectorException;
import io.plakar.pve.sdk.ConnectorInfo;
import io.plakar.pve.sdk.FileInfo;
import io.plakar.pve.sdk.Importer;
import io.plakar.pve.sdk.Record;
import io.plakar.pve.sdk.RecordSink;
import io.plakar.pve.sdk.Result;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ExecutionException;

/**
 * The {@code proxmox+backup} importer: one vzdump archive per selected guest, streamed from
 * the node that hosts it.
 *
 * <p>Record emission vs dump start: the record's name needs the compression suffix, which
 * only the archive's first bytes tell, so the dump is started during {@link #scan} and the
 * record emitted once its head has been sniffed; {@link #open} hands out the same stream
 * (head prepended). Because a started vzdump holds its node's lock and a child process, scan
 * runs one worker per node (at most {@code max_nodes_parallel} at once) that starts the next
 * guest of its node only after the previous stream is over (read to the end, failed,
 * cancelled, or acknowledged without being opened): never more vzdump children alive than
 * the configured parallelism, and the host's {@code maxconcurrency} is never a deadlock
 * because at most one record per node is outstanding.
 */
public final class ProxmoxImporter implements Importer {
    private static final Logger LOG = LoggerFactory.getLogger(ProxmoxImporter.class);
    public static final String PROTOCOL = "proxmox+backup";
    static final int PERM = 0600;

    private final ProxmoxImporterConfig config;
    private final Cluster nodes;
    private final Clock clock;
    private final DumpNamer namer;
    private final Map<String, OutstandingRecord> pending = new ConcurrentHashMap<>();
    private final ExecutorService cleaner = Executors.newSingleThreadExecutor(r -> daemon(r, "dump-cleanup"));
    private final Object emitLock = new Object();
    private final BackupSummary summary = new BackupSummary();
    private volatile ExecutorService nodeWorkers;
    private volatile boolean closed;

    public ProxmoxImporter(ProxmoxImporterConfig config, Cluster nodes, Clock clock, ZoneId zone) {
        this.config = config;
        this.nodes = nodes;
        this.clock = clock;
        this.namer = new DumpNamer(zone);
    }

    /**
     * STREAM: Import must run once (Plakar would otherwise call it a second time to count
     * files, which would dump every guest twice). NEEDACK: acknowledgements release dumps
     * (kill an unopened vzdump, remove a dump_dir file).
     */
    @Override
    public ConnectorInfo info() {
        return new ConnectorInfo(origin(), PROTOCOL, "/", ConnectorInfo.STREAM | ConnectorInfo.NEEDACK);
    }

    /** The location's host, node=, or the node this machine is in the cluster. */
    private String origin() {
        return config.configuredOrigin().orElseGet(() -> {
            try {
                return nodes.entryNode();
            } catch (IOException | ConnectorException e) {
                LOG.warn("cannot tell which node this is ({}); the snapshot's origin is 'localhost'", e.getMessage());
                return "localhost";
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "localhost";
            }
        });
    }

    @Override
    public void ping() throws ConnectorException {
        try {
            NodePing.check(nodes.entry());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ConnectorException.unavailable("proxmox+backup: ping interrupted", e);
        }
    }

    @Override
    public void scan(RecordSink sink) throws ConnectorException, InterruptedException {
        Resources resources = nodes.inventory();
        List<Target> targets;
        try {
            targets = new GuestResolver(resources, nodeFilter()).resolve(config.selection());
        } catch (IOException e) {
            throw ConnectorException.unavailable("proxmox+backup: cannot list the guests to back up: " + e.getMessage(), e);
        }
        if (targets.isEmpty()) {
            throw ConnectorException.notFound("proxmox+backup: " + config.selection().describe() + " matches no guest"
                    + (nodeFilter() == null ? "" : " on node " + nodeFilter()));
        }
        String localNode = nodes.local() ? localNode() : null;
        Map<String, List<Guest>> byNode = new LinkedHashMap<>();
        for (Target t : targets) {
            if (!t.ok()) {
                LOG.error("{}", t.error());
                emit(sink, Record.failed(failedPath(t.guest(), t.vmid()), t.error()));
            } else if (localNode != null && !localNode.equals(t.guest().node())) {
                String msg = t.guest().describe() + " cannot be dumped here: mode=local runs vzdump on node " + localNode
                        + ", and vzdump only dumps guests of the node it runs on (use mode=remote to reach node "
                        + t.guest().node() + ")";
                LOG.error("{}", msg);
                emit(sink, Record.failed(failedPath(t.guest(), t.vmid()), msg));
            } else {
                byNode.computeIfAbsent(t.guest().node(), k -> new ArrayList<>()).add(t.guest());
            }
        }
        if (byNode.isEmpty()) {
            return;
        }
        int parallel = Math.min(config.connection().maxNodesParallel(), byNode.size());
        ExecutorService workers = Executors.newFixedThreadPool(parallel, r -> daemon(r, "node-dumps"));
        nodeWorkers = workers;
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (Map.Entry<String, List<Guest>> e : byNode.entrySet()) {
                futures.add(workers.submit(() -> {
                    dumpNode(e.getKey(), e.getValue(), sink);
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                try {
                    f.get();
                } catch (ExecutionException ex) {
                    Throwable c = ex.getCause();
                    if (c instanceof InterruptedException ie) {
                        throw ie;
                    }
                    throw new ConnectorException(ConnectorException.Kind.FAILED, "proxmox+backup: " + c.getMessage(), c);
                }
            }
        } catch (InterruptedException e) {
            workers.shutdownNow();
            throw e;
        } finally {
            workers.shutdown();
        }
    }

    /** Dumps a node's guests one after the other (vzdump holds a per-node lock). */
    private void dumpNode(String node, List<Guest> guests, RecordSink sink) throws InterruptedException {
        Runner runner;
        try {
            runner = nodes.forNode(node);
        } catch (ConnectorException e) {
            for (Guest g : guests) {
                String msg = g.describe() + ": cannot reach node " + node + ": " + e.getMessage();
                LOG.error("{}", msg);
                emit(sink, Record.failed(failedPath(g, g.vmid()), msg));
            }
            return;
        }
        GuestDumper dumper = new GuestDumper(runner, config.vzdump(), config.transport(), config.connection().cleanup(),
                namer, clock);
        for (Guest g : guests) {
            if (sink.cancelled() || closed) {
                return;
            }
            CountDownLatch slot = new CountDownLatch(1);
            StartedDump d;
            try {
                d = dumper.start(g, slot::countDown);
            } catch (DumpFailedException e) {
                LOG.error("{}", e.getMessage());
                emit(sink, Record.failed(failedPath(g, g.vmid()), e.getMessage()));
                continue;
            } catch (RuntimeException e) {
                // a library failing unexpectedly (e.g. a connection torn down mid-call) fails this
                // guest only; the node's other guests are still tried
                String msg = g.describe() + ": dump could not be started: " + e;
                LOG.error("{}", msg);
                emit(sink, Record.failed(failedPath(g, g.vmid()), msg));
                continue;
            }
            String path = "/" + d.name().fileName();
            summary.started(d);
            pending.put(path, new OutstandingRecord(d, dumper));
            try {
                emit(sink, Record.file(path, FileInfo.regular(d.name().fileName(), FileInfo.UNKNOWN_SIZE, PERM, d.start())));
                // the node's slot is busy until this stream is over (read, failed, cancelled or acknowledged)
                while (!slot.await(1, TimeUnit.SECONDS)) {
                    if (sink.cancelled() || closed) {
                        d.stream().close();
                        return;
                    }
                }
            } catch (InterruptedException e) {
                d.stream().close();
                throw e;
            }
        }
    }

    private void emit(RecordSink sink, Record r) throws InterruptedException {
        if (r.hasError()) {
            summary.failed(r.pathname() + ": " + r.error());
        }
        // gRPC stream observers are not thread-safe: node workers emit one at a time
        synchronized (emitLock) {
            sink.emit(r);
        }
    }

    private String nodeFilter() {
        return config.connection().node().orElse(null);
    }

    private static String failedPath(Guest g, int vmid) {
        return DumpName.failedRecordPath(g == null ? null : g.type(), vmid);
    }

    /** The node this machine is (mode=local), as the cluster names it. */
    private String localNode() throws ConnectorException, InterruptedException {
        try {
            return nodes.entryNode();
        } catch (IOException e) {
            throw ConnectorException.unavailable("proxmox+backup: " + e.getMessage(), e);
        }
    }

    @Override
    public InputStream open(String pathname) throws IOException {
        OutstandingRecord p = pending.get(pathname);
        if (p == null) {
            throw new FileNotFoundException(pathname + ": no such dump in this backup");
        }
        if (!p.opened.compareAndSet(false, true)) {
            throw new IOException(pathname + ": already opened (a dump stream can be read once)");
        }
        return p.dump.stream();
    }

    @Override
    public void acknowledge(Result result) {
        OutstandingRecord p = pending.remove(result.record().pathname());
        if (p == null) {
            return;
        }
        // acknowledged without being read (excluded, unchanged…): stop the dump now
        p.dump.stream().close();
        p.dump.privateDir().ifPresent(dir -> cleaner.execute(() -> p.dumper.removeQuietly(p.dump.guest().describe(), dir)));
    }

    @Override
    public void close() {
        if (!closed) {
            summary.log();
        }
        closed = true;
        ExecutorService w = nodeWorkers;
        if (w != null) {
            w.shutdownNow();
        }
        for (OutstandingRecord p : pending.values()) {
            p.dump.stream().close();
            // never acknowledged (host gone): the private directory was made for this backup only
            p.dump.privateDir().ifPresent(dir -> cleaner.execute(() -> p.dumper.removeQuietly(p.dump.guest().describe(), dir)));
        }
        pending.clear();
        cleaner.shutdown();
        try {
            cleaner.awaitTermination(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        nodes.close();
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
