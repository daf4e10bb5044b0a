package io.plakar.pve.plugin;

import io.plakar.pve.exporter.ProxmoxExporterFactory;
import io.plakar.pve.sdk.PluginServer;

/** Entry point of the proxmox+backup exporter connector: serves Plakar's gRPC over stdin/stdout. */
public final class ProxmoxExporterMain {
    private ProxmoxExporterMain() {
    }

    public static void main(String[] args) {
        PluginServer.serveExporter(args, new ProxmoxExporterFactory());
    }
}
