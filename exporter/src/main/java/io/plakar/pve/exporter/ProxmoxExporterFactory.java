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

    /** drill_pool must exist before any drill runs: every drill guest goes there, and qmrestore would refuse each one. */
    private static void checkDrillPool(DrillOptions drill, RestoreTarget target) throws ConnectorException, InterruptedException {
        boolean exists;
        try {
            exists = new NodeControl(target.runner()).poolExists(drill.pool());
        } catch (java.io.IOException e) {
            throw ConnectorException.failed(ProxmoxExporterConfig.CONNECTOR + ": cannot check drill_pool '" + drill.pool()
                    + "': " + e.getMessage());
        }
        if (!exists) {
            throw ConnectorException.invalidConfig(ProxmoxExporterConfig.CONNECTOR + ": drill_pool '" + drill.pool()
                    + "' does not exist; create it first (pveum pool add " + drill.pool()
                    + " --comment 'plakar restore drills'), or name another with -o drill_pool=<id>. Nothing was restored");
        }
    }

    @Override
    public Exporter create(InitContext context) throws ConnectorException {
        ProxmoxExporterConfig config = ProxmoxExporterConfig.parse(context.config());
        NodeConnections cluster = new NodeConnections(config.shared());
        try {
            RestoreTarget target = RestoreTarget.connect(config.shared(), cluster);
            if (config.drill().enabled()) {
                checkDrillPool(config.drill(), target);
            }
            return new ProxmoxExporter(config, target);
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
