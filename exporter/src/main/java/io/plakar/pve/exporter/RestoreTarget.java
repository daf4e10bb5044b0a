package io.plakar.pve.exporter;

import io.plakar.pve.proxmox.Cluster;
import io.plakar.pve.proxmox.ConnectionConfig;
import io.plakar.pve.proxmox.DumpDir;
import io.plakar.pve.proxmox.Guest;
import io.plakar.pve.proxmox.GuestType;
import io.plakar.pve.runner.Runner;
import io.plakar.pve.sdk.ConnectorException;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * Where a restore happens. {@code qmrestore} and {@code pct restore} create the guest on the
 * node they run on, so every restore command (and the staging it reads) runs on the node
 * named by {@code node=}, else on the location's node. VMIDs are unique across the cluster,
 * so whether one is taken is asked of the whole cluster (VMs and containers, every node).
 */
final class RestoreTarget implements AutoCloseable {
    private final ConnectionConfig config;
    private final Cluster cluster;
    private final Runner runner;
    private String nodeName;

    private RestoreTarget(ConnectionConfig config, Cluster cluster, Runner runner) {
        this.config = config;
        this.cluster = cluster;
        this.runner = runner;
    }

    /** Connects to the restore node; errors name the node and the way out. */
    static RestoreTarget connect(ConnectionConfig config, Cluster cluster) throws ConnectorException, InterruptedException {
        Optional<String> wanted = config.node();
        if (cluster.local() || wanted.isEmpty()) {
            return new RestoreTarget(config, cluster, cluster.entry());
        }
        try {
            return new RestoreTarget(config, cluster, cluster.forNode(wanted.get()));
        } catch (ConnectorException e) {
            throw new ConnectorException(e.kind(), ProxmoxExporterConfig.CONNECTOR + ": cannot reach node " + wanted.get()
                    + " to restore there: " + e.getMessage(), e);
        }
    }

    Runner runner() {
        return runner;
    }

    DumpDir dumpDir() {
        return DumpDir.on(runner, config.dumpDir());
    }

    /** The target node's name, for pvesh paths and messages. */
    synchronized String nodeName() throws RestoreFailure {
        if (nodeName == null) {
            if (config.node().isPresent()) {
                nodeName = config.node().get();
            } else {
                try {
                    nodeName = cluster.entryNode();
                } catch (IOException | ConnectorException e) {
                    throw new RestoreFailure("cannot tell which node restores: " + e.getMessage(), e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new RestoreFailure("interrupted");
                }
            }
        }
        return nodeName;
    }

    /**
     * mode=local restores on this machine: a node= naming another cluster node cannot be
     * honoured there, so say so instead of restoring on the wrong node. Null when fine.
     */
    String localModeMismatch() {
        if (!cluster.local() || config.node().isEmpty()) {
            return null;
        }
        try {
            String here = cluster.entryNode();
            if (!here.equals(config.node().get())) {
                return "node=" + config.node().get() + " was asked, but mode=local restores on this node (" + here
                        + "); use mode=remote with node=" + config.node().get() + " to restore on that node. Nothing was restored";
            }
        } catch (IOException | ConnectorException e) {
            TransferLog.log().warn("cannot tell which cluster node this is ({}); restoring here as node {}", e.getMessage(),
                    config.node().get());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return null;
    }

    /**
     * The guest holding {@code vmid} anywhere in the cluster, from the inventory; when the
     * inventory cannot be read, what the target node itself knows ({@code qm}/{@code pct status}).
     */
    Optional<Guest> findGuest(int vmid) throws RestoreFailure {
        try {
            return cluster.inventory().guests().stream().filter(g -> g.vmid() == vmid).findFirst();
        } catch (IOException | ConnectorException e) {
            TransferLog.log().warn("cannot read the cluster inventory ({}); checking VMID {} on node {} only",
                    e.getMessage(), vmid, nodeName());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RestoreFailure("interrupted");
        }
        NodeControl node = new NodeControl(runner);
        for (GuestType t : GuestType.values()) {
            try {
                NodeControl.State s = node.status(t, vmid);
                if (s != NodeControl.State.ABSENT) {
                    return Optional.of(new Guest(vmid, t, nodeName(), "", s == NodeControl.State.RUNNING ? "running" : "stopped", false));
                }
            } catch (IOException e) {
                throw new RestoreFailure("cannot check whether VMID " + vmid + " exists: " + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RestoreFailure("interrupted");
            }
        }
        return Optional.empty();
    }

    /** Every guest of the cluster (VMs and CTs, every node), for picking free drill VMIDs and the sweep. */
    List<Guest> clusterGuests() throws RestoreFailure {
        try {
            return cluster.inventory().guests();
        } catch (IOException | ConnectorException e) {
            throw new RestoreFailure("cannot read the cluster inventory to find free VMIDs: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RestoreFailure("interrupted");
        }
    }

    String origin() {
        return cluster.local() ? config.node().orElse("localhost") : config.host();
    }

    @Override
    public void close() {
        cluster.close();
    }
}
