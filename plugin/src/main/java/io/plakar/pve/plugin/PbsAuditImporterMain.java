package io.plakar.pve.plugin;

import io.plakar.pve.importer.audit.PbsAuditImporter;
import io.plakar.pve.sdk.PluginServer;

/** Entry point of the pbs+audit importer connector: serves Plakar's gRPC over stdin/stdout. */
public final class PbsAuditImporterMain {
    private PbsAuditImporterMain() {
    }

    public static void main(String[] args) {
        PluginServer.serveImporter(args, PbsAuditImporter::create);
    }
}
