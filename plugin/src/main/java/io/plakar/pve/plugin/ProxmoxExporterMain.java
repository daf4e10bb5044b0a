package io.plakar.pve.plugin;

import io.plakar.pve.exporter.LocalStagingArea;
import io.plakar.pve.exporter.ProxmoxExporter;
import io.plakar.pve.exporter.ProxmoxExporterConfig;
import io.plakar.pve.exporter.RemoteStagingArea;
import io.plakar.pve.exporter.RestoreNode;
import io.plakar.pve.proxmox.NodeRunners;
import io.plakar.pve.runner.LocalRunner;
import io.plakar.pve.runner.Runner;
import io.plakar.pve.sdk.ConnectorException;
import io.plakar.pve.sdk.PluginServer;

/** Entry point of the proxmox+backup exporter connector: serves Plakar's gRPC over stdin/stdout. */
public final class ProxmoxExporterMain {
    private ProxmoxExporterMain() {
    }

    public static void main(String[] args) {
        PluginServer.serveExporter(args, context -> {
            // every key is validated before a runner exists: nothing runs on bad input
            ProxmoxExporterConfig config = ProxmoxExporterConfig.parse(context.config());
            String node = config.connection().node();
            if (config.connection().local()) {
                Runner runner = new LocalRunner();
                return new ProxmoxExporter(config, runner, new LocalStagingArea(config.connection().dumpDir()),
                        node.isEmpty() ? "localhost" : node);
            }
            // the restore runs on node= when given (node_hosts or /cluster/status), else on the
            // location's node (sshj, or OpenSSH with ssh_transport=openssh)
            NodeRunners runners = new NodeRunners(config.shared());
            Runner runner;
            try {
                runner = RestoreNode.connect(config.shared(), runners);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                runners.close();
                throw ConnectorException.failed("interrupted while connecting");
            } catch (ConnectorException | RuntimeException e) {
                runners.close();
                throw e;
            }
            return new ProxmoxExporter(config, runner, new RemoteStagingArea(runner, config.connection().dumpDir()),
                    config.shared().host(), runners);
        });
    }
}
