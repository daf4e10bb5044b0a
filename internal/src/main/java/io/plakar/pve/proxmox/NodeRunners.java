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
    private final Map<String, Runner> runners = new LinkedHashMap<>();
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

    /** The runner for {@code node}; created (and connected) on first use. */
    public synchronized Runner forNode(String node) throws ConnectorException, InterruptedException {
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
        Runner r = runners.get(node);
        if (r != null) {
            return r;
        }
        String h = addressOf(node).orElseThrow(() -> ConnectorException.failed("no SSH address for node " + node
                + ": add it to node_hosts (e.g. node_hosts=" + node + "=10.0.0.12)"));
        if (h.equals(config.host())) {
            r = entry();
        } else {
            r = factory.create(config.sshSettings(h));
        }
        runners.put(node, r);
        return r;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("NodeRunners is closed");
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        List<Runner> all = new ArrayList<>(runners.values());
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
