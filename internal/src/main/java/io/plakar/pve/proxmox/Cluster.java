package io.plakar.pve.proxmox;

import io.plakar.pve.runner.Runner;
import io.plakar.pve.sdk.ConnectorException;

import java.io.IOException;

/**
 * The Proxmox cluster as both connectors see it: which node the location is, how to reach
 * node X, and the inventory any node answers for the whole cluster. vzdump, qmrestore and
 * pct only act on guests of the node they run on, so every guest command goes to its node's
 * runner; cluster-wide questions ({@code pvesh}) go to the entry node.
 */
public interface Cluster extends AutoCloseable {

    /** mode=local: this machine is the only node reachable. */
    boolean local();

    /** The runner of the entry node (the location's host, or this machine). */
    Runner entry() throws ConnectorException, InterruptedException;

    /** The cluster inventory, asked on the entry node (cached briefly, retried over reconnects). */
    Resources inventory() throws ConnectorException, InterruptedException;

    /** The name of the entry node, as PVE names it. */
    String entryNode() throws IOException, InterruptedException, ConnectorException;

    /**
     * The runner of node {@code node}: the entry node's own runner when that is the node;
     * else a connection to its address ({@code node_hosts}, else {@code /cluster/status}).
     */
    Runner forNode(String node) throws ConnectorException, InterruptedException;

    @Override
    void close();
}
