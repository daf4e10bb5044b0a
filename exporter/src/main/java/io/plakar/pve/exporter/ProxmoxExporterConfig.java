package io.plakar.pve.exporter;

import io.plakar.pve.config.ConfigReader;
import io.plakar.pve.proxmox.ConnectionConfig;
import io.plakar.pve.sdk.ConnectorException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
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
public record ProxmoxExporterConfig(Connection connection, RestoreOptions restore, DrillOptions drill, TargetIds targetIds,
                                    boolean linkDown, ConnectionConfig shared) {

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
        return parse(new ConfigReader(CONNECTOR, values));
    }

    /** Every key this connector accepts: what its schema in the package must describe. */
    public static java.util.Set<String> keys() {
        ConfigReader r = new ConfigReader(CONNECTOR, Map.of());
        try {
            parse(r);
        } catch (ConnectorException expected) {
            // an empty configuration is invalid; every key was registered on the way
        }
        return r.knownKeys();
    }

    private static ProxmoxExporterConfig parse(ConfigReader r) throws ConnectorException {
        ConnectionConfig cc = ConnectionConfig.read(r);
        // backup-only keys of a shared source/destination config: accepted, unused on restore
        r.accept("backup_compression", "backup_mode");
        RestoreOptions restore = readRestore(r);
        TargetIds ids = readTargetIds(r, restore);
        boolean linkDown = r.bool("link_down", false);
        DrillOptions drill = readDrill(r, restore, ids);
        r.finish();
        String dir = cc.dumpDir();
        while (dir.length() > 1 && dir.endsWith("/")) {
            dir = dir.substring(0, dir.length() - 1);
        }
        Connection connection = new Connection(cc.isRemote() ? "remote" : "local", cc.node().orElse(""), dir, cc.cleanup());
        return new ProxmoxExporterConfig(connection, restore, drill, ids, linkDown, cc);
    }

    private static RestoreOptions readRestore(ConfigReader r) {
        OptionalInt newId = OptionalInt.empty();
        Optional<String> id = r.matching("newid", VMID, "a VMID (100 to 999999999)");
        if (id.isPresent()) {
            newId = OptionalInt.of(Integer.parseInt(id.get()));
        }
        Optional<String> storage = r.matching("storage", STORAGE_ID, "a storage id such as local-lvm");
        Optional<String> pool = r.matching("pool", POOL_ID, "a pool id (letters, digits, '.', '-', '_', up to 3 levels with '/')");
        // like the Go plugin with newid: a copy next to its original gets new MAC addresses unless unique=false
        boolean unique = r.bool("unique").orElse(newId.isPresent() || r.has("vmid_map") || r.has("newid_offset"));
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

    static final Pattern VMID_MAP = Pattern.compile("^[1-9][0-9]{2,8}:[1-9][0-9]{2,8}(?:,[1-9][0-9]{2,8}:[1-9][0-9]{2,8})*$");

    /** vmid_map / newid_offset: whole-snapshot restores under other, free VMIDs. */
    private static TargetIds readTargetIds(ConfigReader r, RestoreOptions restore) {
        Optional<String> map = r.matching("vmid_map", VMID_MAP, "a list of <vmid>:<new vmid> pairs such as 101:9101,102:9102");
        Optional<Long> offset = r.integer("newid_offset", 1, 999_999_899L);
        if (map.isEmpty() && offset.isEmpty()) {
            return TargetIds.NONE;
        }
        if (map.isPresent() && offset.isPresent()) {
            r.problem("vmid_map and newid_offset both give the new VMIDs: use one of them");
        }
        if (restore.newId().isPresent()) {
            r.problem((map.isPresent() ? "vmid_map" : "newid_offset") + " and newid both give the new VMID: use one of them");
        }
        if (restore.force()) {
            // a mapping restores next to the originals: a target that exists is someone's guest, never ours to overwrite
            r.problem((map.isPresent() ? "vmid_map" : "newid_offset") + " restores under new VMIDs that must be free; it cannot"
                    + " be combined with force_vm_restore");
        }
        Map<Integer, Integer> pairs = new LinkedHashMap<>();
        if (map.isPresent()) {
            Set<Integer> targets = new HashSet<>();
            for (String pair : map.get().split(",")) {
                String[] ab = pair.split(":");
                int from = Integer.parseInt(ab[0]);
                int to = Integer.parseInt(ab[1]);
                if (pairs.containsKey(from)) {
                    r.problem("vmid_map: VMID " + from + " is mapped twice");
                }
                if (!targets.add(to)) {
                    r.problem("vmid_map: two guests are mapped to VMID " + to);
                }
                pairs.put(from, to);
            }
        }
        return new TargetIds(Map.copyOf(pairs), offset.map(o -> OptionalInt.of(o.intValue())).orElse(OptionalInt.empty()));
    }

    /** drill=true and its keys; drill_* without drill=true is refused (a setting that would do nothing is a mistake). */
    private static DrillOptions readDrill(ConfigReader r, RestoreOptions restore, TargetIds ids) {
        boolean enabled = r.bool("drill", false);
        Optional<String> rangeText = r.string("drill_vmid_range");
        VmidRange range = DrillOptions.DEFAULT_RANGE;
        if (rangeText.isPresent()) {
            range = VmidRange.parse(rangeText.get());
            if (range == null) {
                r.problem("drill_vmid_range", "must be <first>-<last> with VMIDs from 100 to 999999999, first <= last, got "
                        + r.quote("drill_vmid_range", rangeText.get()));
                range = DrillOptions.DEFAULT_RANGE;
            }
        }
        String pool = r.matching("drill_pool", POOL_ID, "a pool id (letters, digits, '.', '-', '_', up to 3 levels with '/')")
                .orElse(DrillOptions.DEFAULT_POOL);
        Optional<String> storage = r.matching("drill_storage", STORAGE_ID, "a storage id such as local-lvm");
        boolean boot = r.bool("drill_boot", false);
        Duration timeout = r.duration("drill_timeout", Duration.ofHours(24)).orElse(DrillOptions.DEFAULT_TIMEOUT);
        Duration settle = r.duration("drill_settle", Duration.ofHours(1)).orElse(DrillOptions.DEFAULT_SETTLE);
        Duration poll = r.duration("drill_poll_interval", Duration.ofMinutes(1)).orElse(DrillOptions.DEFAULT_POLL);
        Optional<String> report = r.string("drill_report");
        if (timeout.isZero() || timeout.isNegative()) {
            r.problem("drill_timeout", "must be longer than 0s");
        }
        if (poll.compareTo(Duration.ofMillis(10)) < 0) {
            r.problem("drill_poll_interval", "must be at least 10ms");
        }
        Optional<Path> reportFile = Optional.empty();
        if (report.isPresent()) {
            if (report.get().isBlank()) {
                r.problem("drill_report", "must be a file path");
            } else {
                Path f = Path.of(report.get()).toAbsolutePath();
                Path dir = f.getParent();
                if (dir == null || !Files.isDirectory(dir)) {
                    r.problem("drill_report", "the directory of " + f + " does not exist (on the machine running the plugin)");
                } else if (Files.isDirectory(f)) {
                    r.problem("drill_report", f + " is a directory; give a file");
                }
                reportFile = Optional.of(f);
            }
        }
        if (!enabled) {
            for (String k : List.of("drill_vmid_range", "drill_pool", "drill_storage", "drill_boot", "drill_timeout",
                    "drill_settle", "drill_poll_interval", "drill_report")) {
                if (r.has(k)) {
                    r.problem(k, "applies to restore drills only: add -o drill=true, or leave it out");
                }
            }
            return DrillOptions.OFF;
        }
        // a drill restores a copy under a VMID of its own range: every key that picks the target, or
        // overwrites, would take it outside what a drill may touch
        if (restore.newId().isPresent()) {
            r.problem("drill=true picks its own VMIDs from drill_vmid_range: leave out newid");
        }
        if (ids.active()) {
            r.problem("drill=true picks its own VMIDs from drill_vmid_range: leave out vmid_map and newid_offset");
        }
        if (restore.force()) {
            r.problem("drill=true never overwrites a guest: leave out force_vm_restore");
        }
        if (restore.startOnRestore()) {
            r.problem("drill=true starts the drill guest only with drill_boot=true (isolated from the network): leave out start_on_restore");
        }
        if (restore.pool().isPresent()) {
            r.problem("drill=true restores into drill_pool (default " + DrillOptions.DEFAULT_POOL + "): use drill_pool instead of pool");
        }
        if (restore.storage().isPresent()) {
            r.problem("drill=true restores onto drill_storage: use drill_storage instead of storage");
        }
        return new DrillOptions(true, range, pool, storage, boot, timeout, settle, poll, reportFile);
    }
}
