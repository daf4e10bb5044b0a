package io.plakar.pve.proxmox;

import io.plakar.pve.runner.CommandResult;
import io.plakar.pve.runner.LocalRunner;
import io.plakar.pve.runner.OpenSshRunner;
import io.plakar.pve.runner.Runner;
import io.plakar.pve.runner.RunnerException;
import io.plakar.pve.runner.SshRunner;
import io.plakar.pve.runner.SshSettings;
import io.plakar.pve.sdk.ConnectorException;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * The {@link Cluster} over real connections: one {@link Runner} per cluster node, created on
 * first use, reused, all closed by {@link #close()}. The entry node is reached at the
 * location's host and needs no address of its own. Another node's SSH address is
 * {@code node_hosts[node]} first, else the {@code ip} the cluster reports for it in
 * {@code pvesh get /cluster/status}. In local mode only the local node has a runner (the
 * shared {@link LocalRunner}).
 */
public final class NodeConnections implements Cluster {
    /** Creates the runner for one node's SSH settings; swapped in tests. */
    @FunctionalInterface
    public interface Factory {
        Runner create(SshSettings settings) throws ConnectorException, InterruptedException;
    }

    private final ConnectionConfig config;
    private final Runner local;
    private final Factory factory;
    private final Map<String, String> discovered = new LinkedHashMap<>();
    /** Every member name {@code /cluster/status} listed, with or without an address. */
    private final List<String> members = new ArrayList<>();
    /** Per node: its runner, or the connection attempt in progress (completed exceptionally = failed). */
    private final Map<String, CompletableFuture<Runner>> runners = new LinkedHashMap<>();
    private Runner locationRunner;
    private Resources inventory;
    private String entryNode;
    private boolean closed;

    public NodeConnections(ConnectionConfig config) {
        this(config, new LocalRunner(config.stopTimeout()), defaultFactory(config));
    }

    public NodeConnections(ConnectionConfig config, Runner localRunner, Factory factory) {
        this.config = config;
        this.local = localRunner;
        this.factory = factory;
    }

    /** sshj ({@link SshRunner#connect}) or the system ssh client, per {@code ssh_transport}. */
    public static Factory defaultFactory(ConnectionConfig config) {
        boolean openssh = config.transport() == ConnectionConfig.SshTransport.OPENSSH;
        return settings -> {
            try {
                return openssh ? OpenSshRunner.create(settings) : SshRunner.connect(settings);
            } catch (RunnerException e) {
                throw RunnerErrors.toConnector(e);
            }
        };
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

    @Override
    public boolean local() {
        return !config.isRemote();
    }

    @Override
    public synchronized Resources inventory() throws ConnectorException, InterruptedException {
        if (inventory == null) {
            inventory = new Resources(entry(), config.retryCount(), config.retryDelay());
        }
        return inventory;
    }

    /**
     * The entry node's name: the member {@code /cluster/status} marks as local, else
     * {@code node=}, else the host name the entry node reports (a single node without a cluster).
     */
    @Override
    public String entryNode() throws IOException, InterruptedException, ConnectorException {
        synchronized (this) {
            if (entryNode != null) {
                return entryNode;
            }
        }
        String name = null;
        IOException statusFailure = null;
        try {
            for (ClusterNode n : inventory().nodes()) {
                if (n.local()) {
                    name = n.name();
                }
            }
        } catch (IOException e) {
            statusFailure = e;
        }
        if (name == null) {
            name = config.node().orElse(null);
        }
        if (name == null) {
            CommandResult r = entry().run(List.of("hostname"), Duration.ofSeconds(60));
            if (!r.ok() || r.stdout().isBlank()) {
                String why = statusFailure != null ? statusFailure.getMessage() : r.lastErrorLine();
                throw new IOException("cannot tell which node " + entry().describe() + " is (" + why + "); set node=<name>");
            }
            String h = r.stdout().strip();
            name = h.contains(".") ? h.substring(0, h.indexOf('.')) : h;
        }
        synchronized (this) {
            entryNode = name;
        }
        return name;
    }

    /** The SSH host of {@code node}, if known. */
    public synchronized Optional<String> addressOf(String node) {
        String h = config.nodeHosts().get(node);
        if (h == null) {
            h = discovered.get(node);
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
    @Override
    public Runner forNode(String node) throws ConnectorException, InterruptedException {
        String inventoryProblem = null;
        if (config.isRemote() && !known(node)) {
            // the entry node is reached at the location's host: it needs no address of its own
            try {
                if (node.equals(entryNode())) {
                    Runner e = entry();
                    synchronized (this) {
                        runners.putIfAbsent(node, CompletableFuture.completedFuture(e));
                    }
                    return e;
                }
                learnAddresses();
            } catch (IOException e) {
                inventoryProblem = e.getMessage();
            }
        }
        String why = inventoryProblem;
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
                if (addressOf(node).isEmpty() && why == null && !members.isEmpty() && !members.contains(node)) {
                    throw ConnectorException.notFound("node " + node + " is not a member of the cluster reached at "
                            + config.host() + " (nodes: " + String.join(", ", members) + "); check the node name, or give"
                            + " its address with node_hosts=" + node + "=<host>");
                }
                host = addressOf(node).orElseThrow(() -> ConnectorException.failed("no SSH address for node " + node
                        + (why == null ? "" : " (the cluster could not be asked: " + why + ")")
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

    private synchronized boolean known(String node) {
        return runners.containsKey(node) || addressOf(node).isPresent();
    }

    /** Node addresses from {@code /cluster/status}; {@code node_hosts} still wins. */
    private void learnAddresses() throws IOException, InterruptedException, ConnectorException {
        Map<String, String> found = new LinkedHashMap<>();
        List<String> names = new ArrayList<>();
        for (ClusterNode n : inventory().nodes()) {
            names.add(n.name());
            if (!n.ip().isEmpty()) {
                found.put(n.name(), n.ip());
            }
        }
        synchronized (this) {
            members.clear();
            members.addAll(names);
        }
        addDiscovered(found);
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
        IllegalStateException e = new IllegalStateException("NodeConnections is closed");
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
            throw new IllegalStateException("NodeConnections is closed");
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
        inventory = null;
    }
}
