package io.plakar.pve.plugin;

import io.plakar.pve.importer.backup.ProxmoxImporterFactory;
import io.plakar.pve.sdk.PluginServer;

/** Entry point of the proxmox+backup importer connector: serves Plakar's gRPC over stdin/stdout. */
public final class ProxmoxImporterMain {
    private ProxmoxImporterMain() {
    }

    public static void main(String[] args) {
        PluginServer.serveImporter(args, new ProxmoxImporterFactory());
    }
}
