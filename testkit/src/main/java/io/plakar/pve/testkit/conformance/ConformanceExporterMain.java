package io.plakar.pve.testkit.conformance;

import io.plakar.pve.sdk.PluginServer;

public final class ConformanceExporterMain {
    private ConformanceExporterMain() {
    }

    public static void main(String[] args) {
        PluginServer.serveExporter(args, ConformanceExporter::new);
    }
}
