package io.plakar.pve.importer.backup;

import io.plakar.pve.proxmox.NodeRunners;
import io.plakar.pve.sdk.ConnectorException;
import io.plakar.pve.sdk.ConnectorFactory;
import io.plakar.pve.sdk.Importer;
import io.plakar.pve.sdk.InitContext;

import java.time.Clock;
import java.time.ZoneId;

/** Builds the importer from Init: validates the whole configuration first; no command runs before. */
public final class ProxmoxImporterFactory implements ConnectorFactory<Importer> {

    @Override
    public Importer create(InitContext context) throws ConnectorException {
        ProxmoxImporterConfig config = ProxmoxImporterConfig.read(context.config());
        NodeAccess nodes = Nodes.open(config);
        return new ProxmoxImporter(config, nodes, Clock.systemUTC(), ZoneId.systemDefault());
    }

    /** Chooses the node access for the configured mode. */
    static final class Nodes {
        private Nodes() {
        }

        static NodeAccess open(ProxmoxImporterConfig config) throws ConnectorException {
            return new RunnerNodeAccess(new NodeRunners(config.connection()), !config.connection().isRemote());
        }
    }
}
