package io.plakar.pve.importer.backup;

import io.plakar.pve.proxmox.NodeConnections;
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
        return new ProxmoxImporter(config, new NodeConnections(config.connection()), Clock.systemUTC(),
                ZoneId.systemDefault());
    }
}
