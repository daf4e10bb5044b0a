package io.plakar.pve.importer.backup;

import io.plakar.pve.config.ConfigReader;
import io.plakar.pve.proxmox.ConnectionConfig;
import io.plakar.pve.sdk.ConnectorException;

import java.util.List;
import java.util.Map;

/**
 * The importer's configuration: the connection keys shared with the exporter
 * ({@link ConnectionConfig}) plus the backup keys ({@code backup_compression},
 * {@code zstd_threads}, {@code backup_mode}, {@code transport}) and the selection
 * ({@code vmid}, {@code pool}, {@code all}, {@code exclude}). Everything is validated here,
 * before any command runs; every problem is reported at once, unknown keys with the list of
 * valid ones.
 */
public record ProxmoxImporterConfig(ConnectionConfig connection, Selection selection, VzdumpOptions vzdump,
                                    DumpTransport transport) {

    public static final List<String> TRANSPORTS = List.of("stream", "dumpdir");
    static final String NAME = "proxmox+backup importer";

    public static ProxmoxImporterConfig read(Map<String, String> values) throws ConnectorException {
        return read(new ConfigReader(NAME, values));
    }

    /** Every key this connector accepts: what its schema in the package must describe. */
    public static java.util.Set<String> keys() {
        ConfigReader r = new ConfigReader(NAME, Map.of());
        try {
            read(r);
        } catch (ConnectorException expected) {
            // an empty configuration is invalid; every key was registered on the way
        }
        return r.knownKeys();
    }

    private static ProxmoxImporterConfig read(ConfigReader r) throws ConnectorException {
        ConnectionConfig conn = ConnectionConfig.read(r);
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
            // finish() reports every recorded problem; this is only reached if a reader forgot to record one
            throw ConnectorException.invalidConfig(NAME + ": invalid configuration");
        }
        return new ProxmoxImporterConfig(conn, selection,
                new VzdumpOptions(mode, compress, zstd, conn.dumpDir()),
                transport.equals("dumpdir") ? DumpTransport.DUMPDIR : DumpTransport.STREAM);
    }

    /** Origin of the snapshots when the configuration names it: the location's host, else node=. */
    public java.util.Optional<String> configuredOrigin() {
        if (connection.isRemote() && !connection.host().isEmpty()) {
            return java.util.Optional.of(connection.host());
        }
        return connection.node();
    }
}
