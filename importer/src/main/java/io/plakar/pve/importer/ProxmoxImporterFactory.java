package io.plakar.pve.importer;

import io.plakar.pve.sdk.ConnectorException;
import io.plakar.pve.sdk.ConnectorFactory;
import io.plakar.pve.sdk.Importer;
import io.plakar.pve.sdk.InitContext;

import java.time.Clock;
import java.time.ZoneId;
import java.util.Map;

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
            if (config.connection().local()) {
                return new LocalNodeAccess(Map.of());
            }
            throw ConnectorException.invalidConfig("proxmox+backup importer: mode=remote is not wired yet");
        }
    }
}
