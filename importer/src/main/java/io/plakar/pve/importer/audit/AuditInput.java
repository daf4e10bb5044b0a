package io.plakar.pve.importer.audit;

import io.plakar.pve.importer.audit.api.PbsTypes;
import io.plakar.pve.importer.audit.api.PveTypes;
import io.plakar.pve.importer.audit.api.Task;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything the collectors read, before any interpretation: the input of the pure
 * {@link AuditModel}. Mutable while collecting, read-only afterwards.
 */
public final class AuditInput {
    /** The namespace path used in record paths for the root namespace (cannot be a namespace name). */
    public static final String ROOT_NS_PATH = "@root";

    public Instant auditTime = Instant.EPOCH;
    public String pbsHost = "";
    public int pbsPort = 8007;
    /** Other names of the audited PBS (lower case: resolved addresses…), to map PVE pbs storages. */
    public final java.util.Set<String> pbsAliases = new java.util.HashSet<>();
    /**
     * SHA-256 of the audited server's certificate (the pin, else the one seen in the TLS
     * handshake), lower case: the identity a PVE {@code pbs} storage's {@code fingerprint} names.
     */
    public String pbsFingerprint;
    public String pbsVersion;
    public String pbsNode;
    public final List<StoreData> stores = new ArrayList<>();
    /** Logs read from {@code client.log.blob}, by {@link #snapshotKey}. */
    public final Map<String, ClientLog> logs = new LinkedHashMap<>();
    public final List<Incomplete> incomplete = new ArrayList<>();
    public final List<String> notes = new ArrayList<>();
    /** PBS backup tasks (newest results per guest); empty when the task list was unavailable. */
    public final List<Task> pbsTasks = new ArrayList<>();
    /** Maximum age, exclusions. */
    public PbsAuditConfig.Policy policy = PbsAuditConfig.Policy.defaults();
    /** Restore drill results read from {@code drill_reports}. */
    public final List<DrillResult> drills = new ArrayList<>();
    /** The optional PVE cross-check; null when not configured. */
    public PveData pve;

    /** One datastore as read; {@code snapshots} holds every namespace that could be listed. */
    public static final class StoreData {
        public final String store;
        public PbsTypes.Datastore info;
        public PbsTypes.Status status;
        /** False when the namespace endpoint answered 404 (PBS older than 2.2). */
        public boolean namespaceSupport = true;
        /** Namespaces audited (root = ""), in listing order, including unreadable ones. */
        public final List<String> namespaces = new ArrayList<>();
        public final List<PbsTypes.Snapshot> snapshots = new ArrayList<>();

        public StoreData(String store) {
            this.store = store;
        }
    }

    /** A part that could not be read; {@code namespace} null for the whole store or a non-namespace part. */
    public record Incomplete(String datastore, String namespace, String part, String reason) {
    }

    public static final class PveData {
        public String endpoint = "";
        public String cluster;
        public String version;
        public final List<PveTypes.Node> nodes = new ArrayList<>();
        /** Backup storages per node. */
        public final Map<String, List<PveTypes.Storage>> storages = new LinkedHashMap<>();
        /** Configuration of each {@code pbs} storage, by storage id. */
        public final Map<String, PveTypes.PbsStorageConfig> pbsConfigs = new LinkedHashMap<>();
        /** Backup content per node, then per storage (raw: shared storages appear once per node). */
        public final Map<String, Map<String, List<PveTypes.Backup>>> content = new LinkedHashMap<>();
        public final List<PveTypes.Guest> guests = new ArrayList<>();
        /** Guest snapshots by {@code <qemu|lxc>/<vmid>}. */
        public final Map<String, List<PveTypes.Snapshot>> snapshots = new LinkedHashMap<>();
        /** vzdump tasks of every node. */
        public final List<Task> tasks = new ArrayList<>();
        public final List<Incomplete> incomplete = new ArrayList<>();
    }

    public static String snapshotKey(String store, String ns, String type, String id, long time) {
        return store + '\u0000' + ns + '\u0000' + type + '/' + id + '/' + time;
    }

    public static String snapshotKey(PbsTypes.Snapshot s) {
        return snapshotKey(s.store(), s.ns(), s.type(), s.id(), s.time());
    }

    /** {@code ""} → {@code @root}, otherwise the namespace path itself. */
    public static String nsPath(String ns) {
        return ns == null || ns.isEmpty() ? ROOT_NS_PATH : ns;
    }
}
