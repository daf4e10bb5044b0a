package io.plakar.pve.importer.backup;

import io.plakar.pve.proxmox.NodeRunners;
import io.plakar.pve.runner.Runner;
import io.plakar.pve.sdk.ConnectorException;

import java.util.Map;

/** {@link NodeAccess} over the shared {@link NodeRunners} (local runner, or one SSH connection per node). */
final class RunnerNodeAccess implements NodeAccess {
    private final NodeRunners runners;
    private final boolean local;

    RunnerNodeAccess(NodeRunners runners, boolean local) {
        this.runners = runners;
        this.local = local;
    }

    @Override
    public boolean local() {
        return local;
    }

    @Override
    public Runner inventory() throws ConnectorException {
        try {
            return runners.entry();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ConnectorException.unavailable("interrupted while connecting", e);
        }
    }

    @Override
    public Runner forNode(String node) throws ConnectorException {
        try {
            return runners.forNode(node);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ConnectorException.unavailable("interrupted while connecting to node " + node, e);
        }
    }

    @Override
    public void learnAddresses(Map<String, String> nodeToAddress) {
        runners.addDiscovered(nodeToAddress);
    }

    @Override
    public void close() {
        runners.close();
    }
}
