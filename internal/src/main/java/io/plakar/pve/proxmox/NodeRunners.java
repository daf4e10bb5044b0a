package io.plakar.pve.proxmox;

import io.plakar.pve.runner.LocalRunner;
import io.plakar.pve.runner.OpenSshRunner;
import io.plakar.pve.runner.Runner;
import io.plakar.pve.runner.SshRunner;
import io.plakar.pve.runner.SshSettings;
import io.plakar.pve.sdk.ConnectorException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * One {@link Runner} per cluster node, created on first use, reused, all closed by {@link
 * #close()}. A node's SSH address is {@code node_hosts[node]} first, else the caller-supplied
 * map (typically the {@code ip} fields of {@code pvesh get /cluster/status}), else — for the
 * node named by {@code node} or when the name is the only one known — the location's host.
 * In local mode only the local node has a runner (the shared {@link LocalRunner}).
 */
public final class NodeRunners implements AutoCloseable {
    /** Creates the runner for one node's SSH settings; swapped in tests. */
    @FunctionalInterface
    public interface Factory {
        Runner create(SshSettings settings) throws ConnectorException, InterruptedException;
    }

    private final ConnectionConfig config;
    private final Runner local;
    private final Factory factory;
    private final Map<String, String> discovered = new LinkedHashMap<>();
    /** Per node: its runner, or the connection attempt in progress (completed exceptionally = failed). */
    private final Map<String, CompletableFuture<Runner>> runners = new LinkedHashMap<>();
    private Runner locationRunner;
    private boolean closed;

    public NodeRunners(ConnectionConfig config) {
        this(config, new LocalRunner(), defaultFactory(config));
    }

    public NodeRunners(ConnectionConfig config, Runner localRunner, Factory factory) {
        this.config = config;
        this.local = localRunner;
        this.factory = factory;
    }

    /** sshj ({@link SshRunner#lazy}) or the system ssh client, per {@code ssh_transport}. */
    public static Factory defaultFactory(ConnectionConfig config) {
        return config.transport() == ConnectionConfig.Transport.OPENSSH
                ? OpenSshRunner::create
                : SshRunner::connect;
    }

    /** Adds addresses learned from the cluster (node name → IP); {@code node_hosts} still wins. */
    public synchronized void addDiscovered(Map<String, String> nodeToAddress) {
        discovered.putAll(nodeToAddress);
    }

    /**
     * The runner of the entry node: the location host in remote mode (what inventory commands
     * such as {@code pvesh} run on), the local runner in local mode.
     */
    public synchronized Runner entry() throws ConnectorException, InterruptedException {
        checkOpen();
        if (!config.isRemote()) {
            return local;
        }
        if (locationRunner == null) {
            locationRunner = factory.create(config.sshSettings());
        }
        return locationRunner;
    }

    /** The SSH host of {@code node}, if known. */
    public synchronized Optional<String> addressOf(String node) {
        String h = config.nodeHosts().get(node);
        if (h == null) {
            h = discovered.get(node);
        }
        if (h == null && config.node().map(node::equals).orElse(false) && config.nodeHosts().isEmpty()) {
            h = config.host(); // the configured node is the one the location points at
        }
        return Optional.ofNullable(h);
    }

    /**
     * The runner for {@code node}; created (and connected) on first use. Connecting — with its
     * timeouts and retries — happens outside this object's lock, so an unreachable node never
     * holds up the other nodes' workers (nor {@link #close()}); callers asking for a node being
     * connected wait for that one attempt. A failed attempt is not remembered: the next caller
     * tries again.
     */
    public Runner forNode(String node) throws ConnectorException, InterruptedException {
        CompletableFuture<Runner> attempt;
        String host;
        synchronized (this) {
            checkOpen();
            if (!config.isRemote()) {
                Optional<String> configured = config.node();
                String localName = configured.orElse(null);
                if (localName != null && !localName.equals(node)) {
                    throw ConnectorException.failed("guest is on node " + node + " but mode=local can only reach this node ("
                            + localName + "); use mode=remote with node_hosts to reach other cluster nodes");
                }
                return local;
            }
            CompletableFuture<Runner> known = runners.get(node);
            if (known != null) {
                attempt = known;
                host = null;
            } else {
                host = addressOf(node).orElseThrow(() -> ConnectorException.failed("no SSH address for node " + node
                        + ": add it to node_hosts (e.g. node_hosts=" + node + "=10.0.0.12)"));
                if (host.equals(config.host())) {
                    Runner e = entry();
                    runners.put(node, CompletableFuture.completedFuture(e));
                    return e;
                }
                attempt = new CompletableFuture<>();
                runners.put(node, attempt);
            }
        }
        return host == null ? await(attempt) : connect(node, host, attempt);
    }

    private Runner connect(String node, String host, CompletableFuture<Runner> attempt)
            throws ConnectorException, InterruptedException {
        Runner r;
        try {
            r = factory.create(config.sshSettings(host));
        } catch (ConnectorException | InterruptedException | RuntimeException e) {
            synchronized (this) {
                runners.remove(node, attempt);
            }
            attempt.completeExceptionally(e);
            throw e;
        }
        synchronized (this) {
            if (!closed) {
                attempt.complete(r);
                return r;
            }
        }
        // closed while connecting: nobody will close this one
        r.close();
        IllegalStateException e = new IllegalStateException("NodeRunners is closed");
        attempt.completeExceptionally(e);
        throw e;
    }

    private static Runner await(CompletableFuture<Runner> attempt) throws ConnectorException, InterruptedException {
        try {
            return attempt.get();
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof ConnectorException ce) {
                throw new ConnectorException(ce.kind(), ce.getMessage(), ce);
            }
            if (c instanceof InterruptedException) {
                throw ConnectorException.unavailable("the connection attempt was interrupted", c);
            }
            if (c instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(c);
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("NodeRunners is closed");
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        List<Runner> all = new ArrayList<>();
        for (CompletableFuture<Runner> f : runners.values()) {
            // attempts still connecting close their runner themselves when they see `closed`
            if (f.isDone() && !f.isCompletedExceptionally()) {
                Runner r = f.join();
                if (!all.contains(r)) {
                    all.add(r);
                }
            }
        }
        if (locationRunner != null && !all.contains(locationRunner)) {
            all.add(locationRunner);
        }
        for (Runner r : all) {
            try {
                r.close();
            } catch (RuntimeException ignored) {
                // closing everything regardless
            }
        }
        runners.clear();
        locationRunner = null;
    }
}
