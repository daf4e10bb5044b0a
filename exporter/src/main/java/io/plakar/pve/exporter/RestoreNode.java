package io.plakar.pve.exporter;

import io.plakar.pve.proxmox.ClusterNode;
import io.plakar.pve.proxmox.ConnectionConfig;
import io.plakar.pve.proxmox.NodeRunners;
import io.plakar.pve.proxmox.Resources;
import io.plakar.pve.runner.Runner;
import io.plakar.pve.sdk.ConnectorException;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The node a remote restore runs on. {@code qmrestore} and {@code pct restore} create the guest
 * on the node they run on, so with {@code node=<name>} every restore command (and the staging
 * it reads) must run on that node, not on whichever node the location's host is. Its address is
 * {@code node_hosts[name]}, else the {@code ip} the location's node reports for it in
 * {@code pvesh get /cluster/status}. Without {@code node=} the location's node restores.
 */
public final class RestoreNode {
    private RestoreNode() {
    }

    /** Connects to the restore node (remote mode); errors name the node and the way out. */
    public static Runner connect(ConnectionConfig config, NodeRunners runners)
            throws ConnectorException, InterruptedException {
        Optional<String> wanted = config.node();
        if (wanted.isEmpty()) {
            return runners.entry();
        }
        String node = wanted.get();
        String configured = config.nodeHosts().get(node);
        if (configured != null) {
            // node_hosts is the user's word: no need to ask the cluster
            return reach(runners, node, configured);
        }
        Runner entry = runners.entry();
        List<ClusterNode> members;
        try {
            members = new Resources(entry).nodes();
        } catch (IOException e) {
            throw ConnectorException.unavailable(ProxmoxExporterConfig.CONNECTOR + ": cannot tell whether "
                    + entry.describe() + " is node " + node + " (" + e.getMessage() + "); give the node's address with "
                    + ConnectionConfig.NODE_HOSTS + "=" + node + "=<host>", e);
        }
        for (ClusterNode m : members) {
            if (m.local() && m.name().equals(node)) {
                return entry;
            }
        }
        ClusterNode target = members.stream().filter(m -> m.name().equals(node)).findFirst()
                .orElseThrow(() -> ConnectorException.notFound(ProxmoxExporterConfig.CONNECTOR + ": node=" + node
                        + " is not a member of the cluster reached at " + config.host() + " (nodes: "
                        + members.stream().map(ClusterNode::name).collect(Collectors.joining(", "))
                        + "); check node=, or give its address with " + ConnectionConfig.NODE_HOSTS + "=" + node + "=<host>"));
        if (target.ip().isEmpty()) {
            throw ConnectorException.invalidConfig(ProxmoxExporterConfig.CONNECTOR + ": /cluster/status gives no address for node "
                    + node + "; give it with " + ConnectionConfig.NODE_HOSTS + "=" + node + "=<host>");
        }
        runners.addDiscovered(Map.of(node, target.ip()));
        return reach(runners, node, target.ip() + (target.online() ? "" : " (offline according to /cluster/status)"));
    }

    private static Runner reach(NodeRunners runners, String node, String where)
            throws ConnectorException, InterruptedException {
        try {
            return runners.forNode(node);
        } catch (ConnectorException e) {
            throw new ConnectorException(e.kind(), ProxmoxExporterConfig.CONNECTOR + ": cannot reach node " + node + " at "
                    + where + " to restore there: " + e.getMessage(), e);
        }
    }
}
