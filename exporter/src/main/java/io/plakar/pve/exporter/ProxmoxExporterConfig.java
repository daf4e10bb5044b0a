package io.plakar.pve.exporter;

import io.plakar.pve.config.ConfigReader;
import io.plakar.pve.runner.SshSettings;
import io.plakar.pve.sdk.ConnectorException;

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
public record ProxmoxExporterConfig(Connection connection, RestoreOptions restore, SshSettings ssh) {

    static final String CONNECTOR = "proxmox+backup exporter";

    /** pve-common {@code pve_verify_vmid}. */
    static final Pattern VMID = Pattern.compile("^[1-9][0-9]{2,8}$");
    /** pve-access-control {@code verify_poolname}: up to three levels. */
    static final Pattern POOL_ID = Pattern.compile("^[A-Za-z0-9.\\-_]+(?:/[A-Za-z0-9.\\-_]+){0,2}$");
    /** pve-storage {@code pve-storage-id}. */
    static final Pattern STORAGE_ID = Pattern.compile("^[a-z][a-z0-9\\-_.]*[a-z0-9]$");
    /** A cluster node name (a host name label). */
    static final Pattern NODE = Pattern.compile("^[a-zA-Z0-9]([a-zA-Z0-9\\-]{0,61}[a-zA-Z0-9])?$");

    /** Where dumps are staged and which node restores them. */
    public record Connection(String mode, String node, String dumpDir, boolean cleanup) {
        public boolean local() {
            return mode.equals("local");
        }
    }

    public enum Transport { STAGE, STREAM }

    /**
     * Restore options. {@code unique} is resolved: the Go plugin defaults it to true when
     * {@code newid} is set, so do we.
     */
    public record RestoreOptions(OptionalInt newId, Optional<String> storage, Optional<String> pool,
                                 boolean unique, boolean force, boolean startOnRestore,
                                 OptionalLong bwlimitKiB, Transport transport) {
    }

    /** Connection keys the importer shares; read by ConnectionConfig once it lands. */
    static final List<String> CONNECTION_KEYS = List.of(
            "location", "mode", "conn_method", "conn_username", "conn_identity_file", "conn_port",
            "ssh_known_hosts", "ssh_host_key_fingerprint", "ssh_insecure_ignore_host_key", "ssh_retry_count",
            "ssh_retry_delay", "node", "node_hosts", "dump_dir", "cleanup", "max_nodes_parallel", "ssh_cipher",
            // backup-only keys of the shared source/destination config: accepted, unused on restore
            "backup_compression", "backup_mode");

    public static ProxmoxExporterConfig parse(Map<String, String> values) throws ConnectorException {
        ConfigReader r = new ConfigReader(CONNECTOR, values);
        r.secret("conn_password", "conn_identity_key", "conn_identity_passphrase");
        r.accept(CONNECTION_KEYS.toArray(String[]::new));
        Connection connection = readConnection(r);
        RestoreOptions restore = readRestore(r);
        SshSettings ssh = connection.local() ? null : RemoteSettings.read(r, values);
        r.finish();
        return new ProxmoxExporterConfig(connection, restore, ssh);
    }

    /** The keys this exporter reads itself; remote-mode keys are validated by the SSH layer. */
    private static Connection readConnection(ConfigReader r) {
        Optional<String> mode = r.oneOf("mode", List.of("local", "remote"));
        if (!r.has("mode")) {
            r.problem("mode", "is required (local or remote)");
        }
        Optional<String> node = r.matching("node", NODE, "a node name (letters, digits, '-')");
        String dumpDir = r.string("dump_dir", "/var/lib/vz/dump");
        if (!dumpDir.startsWith("/")) {
            r.problem("dump_dir", "must be an absolute path, got " + r.quote("dump_dir", dumpDir));
        } else if (("/" + dumpDir + "/").contains("/../")) {
            r.problem("dump_dir", "must not contain '..', got " + r.quote("dump_dir", dumpDir));
        }
        boolean cleanup = r.bool("cleanup", true);
        String m = mode.orElse("local");
        if (m.equals("remote") && !r.has("conn_username")) {
            r.problem("conn_username", "is required in remote mode");
        }
        return new Connection(m, node.orElse(""), stripTrailingSlash(dumpDir), cleanup);
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
        Transport transport = r.oneOf("restore_transport", List.of("stage", "stream"))
                .map(t -> t.equals("stream") ? Transport.STREAM : Transport.STAGE).orElse(Transport.STAGE);
        return new RestoreOptions(newId, storage, pool, unique, force, start, bwlimit, transport);
    }

    private static String stripTrailingSlash(String dir) {
        String d = dir;
        while (d.length() > 1 && d.endsWith("/")) {
            d = d.substring(0, d.length() - 1);
        }
        return d;
    }
}
