package io.plakar.pve.importer.audit;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;
import java.util.Map;

/**
 * The shapes of the audit's JSON records. Jackson writes each record's components in
 * declaration order with snake_case names ({@code sizeBytes} → {@code size_bytes}); null
 * values are written as {@code null} so every key is always present.
 */
public final class AuditDocs {
    private AuditDocs() {
    }

    /** An instant as both epoch seconds and ISO-8601 UTC. */
    public record Time(long epoch, String iso) {
        public static Time of(Long t) {
            return t == null ? null : new Time(t, AuditModel.iso(t));
        }
    }

    // ------------------------------------------------------------ per snapshot

    public record SnapshotFile(String filename, String cryptMode, Long size) {
    }

    public record Verification(String state, String upid) {
    }

    public record Encryption(String mode, String fingerprint) {
    }

    public record Snapshot(String datastore, String namespace, String backupType, String backupId, long backupTime,
                           String backupTimeIso, boolean inProgress, Long size, List<SnapshotFile> files, String owner,
                           @JsonProperty("protected") boolean isProtected, String comment, Verification verification, Encryption encryption,
                           String node, String nodeSource, String guestName, String label, List<String> seenThrough) {
    }

    // ------------------------------------------------------------ datastore status

    public record GcStatus(String upid, String lastRun, long indexFileCount, long indexDataBytes, long diskBytes,
                           long diskChunks, long removedBytes, long removedChunks, long pendingBytes, long pendingChunks,
                           long removedBad, long stillBad) {
    }

    public record TypeCount(long groups, long snapshots) {
    }

    public record Namespace(String namespace, String path, boolean readable, long groups, long snapshots,
                            long inProgress, long sizeBytes, int vms, int cts, int hosts, Long latest, String latestIso) {
    }

    public record Incomplete(String datastore, String namespace, String part, String reason) {
    }

    public record Status(String datastore, String comment, String maintenance, String mountStatus, String backendType,
                         boolean statusRead, Long total, Long used, Long avail, Double usedFraction, Double dedupFactor,
                         GcStatus gcStatus, Map<String, TypeCount> counts, boolean namespaceSupport, long snapshots,
                         long inProgress, long sizeBytes, List<Namespace> namespaces, List<Incomplete> incomplete) {
    }

    // ------------------------------------------------------------ summary

    public record Source(String pbs, String pbsVersion, String pbsNode, String pve, String pveCluster, String pveVersion) {
    }

    public record StoreSummary(String datastore, boolean namespaceSupport, long snapshots, long inProgress, long sizeBytes,
                               List<Namespace> namespaces) {
    }

    public record Totals(int datastores, long namespaces, long snapshots, long snapshotsComplete, long snapshotsInProgress,
                         long sizeBytes, int distinctBackups, long pbs, long pbsViaPve, long pve, long pveOnlySizeBytes,
                         int uniqueVms, int uniqueCts, int uniqueHosts, long collisionsCritical, long collisionsWarning) {
    }

    public record Summary(String auditTime, String verdict, Source source, boolean complete, List<Incomplete> incomplete,
                          List<String> notes, Totals totals, ProblemList problems, CoverageDoc coverage,
                          List<CollisionRef> collisions, Identity identity, Changes changes,
                          List<StoreSummary> datastores) {
    }

    public record ProblemList(long critical, long warning, long info, List<Problems.Problem> list) {
    }

    /** One line per guest, enough for the next audit to say what changed. */
    public record CoverageGuest(String guest, String name, String status, String excludedBy, Time latestBackup,
                                Long ageSeconds, long backups, int copies, Time lastGoodRestore) {
    }

    public record CoverageDoc(long maxAgeSeconds, long ok, long stale, long never, long excluded, long orphaned,
                              List<CoverageGuest> guests) {
    }

    public record CollisionRef(String guest, String severity) {
    }

    /** How the PVE pbs storages were matched to the audited server. */
    public record Identity(String pbsFingerprint, Map<String, String> sameServer, Map<String, String> otherServers) {
    }

    /** Differences to a previous audit's summary. */
    public record Changes(String since, List<String> newCollisions, List<String> resolvedCollisions,
                          List<String> becameStale, List<String> newWithoutBackup, List<String> backupsDisappeared) {
        public boolean none() {
            return newCollisions.isEmpty() && resolvedCollisions.isEmpty() && becameStale.isEmpty()
                    && newWithoutBackup.isEmpty() && backupsDisappeared.isEmpty();
        }
    }

    // ------------------------------------------------------------ collisions

    public record CollisionLocation(String location, String datastore, String namespace, long snapshots, long inProgress,
                                    List<String> nodes, List<String> guestNames, Long latest, String latestIso) {
    }

    public record Collision(String type, String id, String severity, List<String> reasons,
                            List<CollisionLocation> locations) {
    }

    public record Collisions(long critical, long warning, List<Collision> collisions) {
    }

    // ------------------------------------------------------------ duplicates

    public record Raw(long total, long pbs, long pve, Map<String, Long> bySource) {
    }

    public record Deduplicated(int total, long pbs, long pbsViaPve, long pve, Map<String, Long> bySource) {
    }

    public record Merged(String key, String label, String type, String id, long time, String timeIso, String reason,
                         int count, List<String> seenThrough) {
    }

    public record Duplicates(Raw raw, Deduplicated deduplicated, long removed, List<Merged> merged) {
    }

    // ------------------------------------------------------------ guests

    public record BackupDate(String date, long count, List<String> sources, Map<String, List<String>> timestamps) {
    }

    public record LatestBySource(Time pbs, Time pve, Time snapshots) {
    }

    public record Copy(String place, Time latest) {
    }

    public record GuestVerification(String newestState, Time newestVerified) {
    }

    public record TaskDoc(String type, String node, String target, Time start, Time end, String status, boolean ok) {
    }

    public record DrillDoc(String dump, String snapshot, String result, String phase, Time time) {
    }

    public record Guest(String type, String id, String name, String node, long backups, long inProgress,
                        String collision, List<String> labels, List<String> locations, Time latest,
                        LatestBySource latestBySource, String status, String excludedBy, Time latestBackup,
                        Long ageSeconds, List<Copy> copies, GuestVerification verification, TaskDoc lastTask,
                        DrillDoc lastGoodRestore, DrillDoc lastDrill, List<BackupDate> backupDates) {
    }
}
