package io.plakar.pve.importer;

import io.plakar.pve.config.ConfigReader;

/** Reads the shared connection keys into the importer's view of them. */
final class Connection {
    private Connection() {
    }

    static ProxmoxImporterConfig.ConnectionView read(ConfigReader r) {
        // TEMPORARY until io.plakar.pve.proxmox.ConnectionConfig lands: local mode keys only.
        String mode = r.oneOf("mode", java.util.List.of("local", "remote")).orElse(null);
        if (mode == null && !r.has("mode")) {
            r.problem("mode", "is required (local or remote)");
        }
        String node = r.string("node").orElse(null);
        String dumpDir = r.string("dump_dir", "/var/lib/vz/dump");
        boolean cleanup = r.bool("cleanup", true);
        int par = (int) r.integer("max_nodes_parallel", 1, 64, 1);
        r.accept("location");
        String origin = node != null ? node : hostname();
        return new ProxmoxImporterConfig.ConnectionView(!"remote".equals(mode), node, dumpDir, cleanup, par, origin);
    }

    static String hostname() {
        try {
            String h = java.net.InetAddress.getLocalHost().getHostName();
            int dot = h.indexOf('.');
            return dot > 0 ? h.substring(0, dot) : h;
        } catch (java.io.IOException e) {
            return "localhost";
        }
    }
}
