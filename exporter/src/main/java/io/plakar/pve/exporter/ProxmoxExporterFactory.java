package io.plakar.pve.exporter;

import io.plakar.pve.proxmox.NodeConnections;
import io.plakar.pve.sdk.ConnectorException;
import io.plakar.pve.sdk.ConnectorFactory;
import io.plakar.pve.sdk.Exporter;
import io.plakar.pve.sdk.InitContext;

/**
 * Builds the exporter from Init: every key is validated before anything connects or runs,
 * then the restore node is reached (the location's node, or node= through the cluster).
 */
public final class ProxmoxExporterFactory implements ConnectorFactory<Exporter> {

    @Override
    public Exporter create(InitContext context) throws ConnectorException {
        ProxmoxExporterConfig config = ProxmoxExporterConfig.parse(context.config());
        NodeConnections cluster = new NodeConnections(config.shared());
        try {
            return new ProxmoxExporter(config, RestoreTarget.connect(config.shared(), cluster));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            cluster.close();
            throw ConnectorException.failed("interrupted while connecting");
        } catch (ConnectorException | RuntimeException e) {
            cluster.close();
            throw e;
        }
    }
}
