package io.plakar.pve.importer;

import io.plakar.pve.config.ConfigReader;
import io.plakar.pve.proxmox.GuestDumper;
import io.plakar.pve.proxmox.Selection;
import io.plakar.pve.proxmox.VzdumpOptions;
import io.plakar.pve.sdk.ConnectorException;

import java.util.List;
import java.util.Map;

/**
 * The importer's configuration: the connection keys shared with the exporter (read by
 * ConnectionConfig) plus the backup keys. Everything is validated here, before any command
 * runs; every problem is reported at once, unknown keys with the list of valid ones.
 */
public record ProxmoxImporterConfig(ConnectionView connection, Selection selection, VzdumpOptions vzdump,
                                    GuestDumper.Transport transport) {

    /** What the importer needs from the connection settings. */
    public record ConnectionView(boolean local, String node, String dumpDir, boolean cleanup, int maxNodesParallel,
                                 String origin) {
    }

    public static final List<String> TRANSPORTS = List.of("stream", "dumpdir");

    public static ProxmoxImporterConfig read(Map<String, String> values) throws ConnectorException {
        ConfigReader r = new ConfigReader("proxmox+backup importer", values);
        ConnectionView conn = Connection.read(r);
        String compress = r.oneOf("backup_compression", VzdumpOptions.COMPRESSIONS).orElse("0");
        String mode = r.oneOf("backup_mode", VzdumpOptions.MODES).orElse("snapshot");
        Integer zstd = r.integer("zstd_threads", 0, 256).map(Long::intValue).orElse(null);
        if (zstd != null && !compress.equals("zstd")) {
            r.problem("zstd_threads", "only applies with backup_compression=zstd");
        }
        String transport = r.oneOf("transport", TRANSPORTS).orElse("stream");
        Selection selection = Selection.read(r);
        r.finish();
        if (selection == null || conn == null) {
            // finish() reports every problem; reaching here means a problem was recorded without one
            throw ConnectorException.invalidConfig("proxmox+backup importer: invalid configuration");
        }
        return new ProxmoxImporterConfig(conn, selection,
                new VzdumpOptions(mode, compress, zstd, conn.dumpDir()),
                transport.equals("dumpdir") ? GuestDumper.Transport.DUMPDIR : GuestDumper.Transport.STREAM);
    }
}
