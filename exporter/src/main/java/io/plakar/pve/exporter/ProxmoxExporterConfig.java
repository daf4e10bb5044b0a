package io.plakar.pve.exporter;

import io.plakar.pve.config.ConfigReader;
import io.plakar.pve.proxmox.ConnectionConfig;
import io.plakar.pve.sdk.ConnectorException;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * Everything the exporter accepts, validated before any command runs. Connection keys keep
 * the meaning they have for the importer (and for the Go reference plugin); restore options
 * come with {@code -o}. Every problem is reported at once, in the importer's error style.
 */
public record ProxmoxExporterConfig(Connection connection, RestoreOptions restore, ConnectionConfig shared) {

    static final String CONNECTOR = "proxmox+backup exporter";

    /** pve-common {@code pve_verify_vmid}. */
    static final Pattern VMID = Pattern.compile("^[1-9][0-9]{2,8}$");
    /** pve-access-control {@code verify_poolname}: up to three levels. */
    static final Pattern POOL_ID = Pattern.compile("^[A-Za-z0-9.\\-_]+(?:/[A-Za-z0-9.\\-_]+){0,2}$");
    /** pve-storage {@code pve-storage-id}. */
    static final Pattern STORAGE_ID = Pattern.compile("^[a-z][a-z0-9\\-_.]*[a-z0-9]$");

    /** Where dumps are staged and which node restores them. */
    public record Connection(String mode, String node, String dumpDir, boolean cleanup) {
        public boolean local() {
            return mode.equals("local");
        }
    }

    public enum RestoreTransport { STAGE, STREAM }

    /**
     * Restore options. {@code unique} is resolved: the Go plugin defaults it to true when
     * {@code newid} is set, so do we.
     */
    public record RestoreOptions(OptionalInt newId, Optional<String> storage, Optional<String> pool,
                                 boolean unique, boolean force, boolean startOnRestore,
                                 OptionalLong bwlimitKiB, RestoreTransport transport, Duration shutdownTimeout) {
    }

    /** How long a guest's OS gets to shut down before a forced restore cuts its power. */
    static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofMinutes(3);

    /** Reads every key; connection keys through the shared {@link ConnectionConfig} (same meaning as the importer's). */
    public static ProxmoxExporterConfig parse(Map<String, String> values) throws ConnectorException {
        ConfigReader r = new ConfigReader(CONNECTOR, values);
        ConnectionConfig cc = ConnectionConfig.read(r);
        // backup-only keys of a shared source/destination config: accepted, unused on restore
        r.accept("backup_compression", "backup_mode");
        RestoreOptions restore = readRestore(r);
        r.finish();
        String dir = cc.dumpDir();
        while (dir.length() > 1 && dir.endsWith("/")) {
            dir = dir.substring(0, dir.length() - 1);
        }
        Connection connection = new Connection(cc.isRemote() ? "remote" : "local", cc.node().orElse(""), dir, cc.cleanup());
        return new ProxmoxExporterConfig(connection, restore, cc);
    }

    private static RestoreOptions readRestore(ConfigReader r) {
        OptionalInt newId = OptionalInt.empty();
        Optional<String> id = r.matching("newid", VMID, "a VMID (100 to 999999999)");
        if (id.isPresent()) {
            newId = OptionalInt.of(Integer.parseInt(id.get()));
        }
        Optional<String> storage = r.matching("storage", STORAGE_ID, "a storage id such as local-lvm");
        Optional<String> pool = r.matching("pool", POOL_ID, "a pool id (letters, digits, '.', '-', '_', up to 3 levels with '/')");
        boolean unique = r.bool("unique").orElse(newId.isPresent());
        boolean force = r.bool("force_vm_restore", false);
        boolean start = r.bool("start_on_restore", false);
        OptionalLong bwlimit = OptionalLong.empty();
        Optional<Long> bw = r.integer("bwlimit", 0, Integer.MAX_VALUE);
        if (bw.isPresent()) {
            bwlimit = OptionalLong.of(bw.get());
        }
        RestoreTransport transport = r.oneOf("restore_transport", List.of("stage", "stream"))
                .map(t -> t.equals("stream") ? RestoreTransport.STREAM : RestoreTransport.STAGE).orElse(RestoreTransport.STAGE);
        Duration shutdown = r.duration("shutdown_timeout", Duration.ofHours(1)).orElse(DEFAULT_SHUTDOWN_TIMEOUT);
        return new RestoreOptions(newId, storage, pool, unique, force, start, bwlimit, transport, shutdown);
    }
}
