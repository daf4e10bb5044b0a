package io.plakar.pve.importer.backup;

import io.plakar.pve.runner.Runner;
import io.plakar.pve.sdk.ConnectorException;

/**
 * How the importer reaches nodes: one runner for inventory questions (any node answers for
 * the cluster) and one per node for its dumps (vzdump only dumps guests of the node it runs
 * on). Local mode: this machine only. Remote mode: one SSH connection per node, opened lazily.
 */
public interface NodeAccess extends AutoCloseable {

    boolean local();

    /** The runner for cluster-wide questions (pvesh): the configured host, or this machine. */
    Runner inventory() throws ConnectorException;

    /** The runner on node {@code node}; in local mode only this machine's node is reachable. */
    Runner forNode(String node) throws ConnectorException;

    /** Node addresses learned from {@code /cluster/status} (node_hosts still wins). */
    default void learnAddresses(java.util.Map<String, String> nodeToAddress) {
    }

    @Override
    void close();
}
