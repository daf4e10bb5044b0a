package io.plakar.pve.testkit.conformance;

import io.plakar.pve.sdk.PluginServer;

public final class ConformanceImporterMain {
    private ConformanceImporterMain() {
    }

    public static void main(String[] args) {
        PluginServer.serveImporter(args, ConformanceImporter::new);
    }
}
