package io.plakar.pve.importer.audit.api;

import java.util.List;
import java.util.Map;

/**
 * What the PBS API ({@code https://host:8007/api2/json}) returns, as the audit needs it. PBS
 * fields are kebab-case; a snapshot without {@code size} is still being written.
 */
public final class PbsTypes {
    private PbsTypes() {
    }

    /** {@code GET /version}: version = major.minor, release = patch. */
    public record Version(String version, String release) {
        public String full() {
            return release == null || release.isEmpty() ? version : version + "-" + release;
        }
    }

    /** {@code GET /admin/datastore} item. */
    public record Datastore(String store, String comment, String maintenance, String mountStatus, String backendType) {
    }

    /** {@code GET /admin/datastore/{store}/status?verbose=1}. */
    public record Status(long total, long used, long avail, GcStatus gc, Map<String, TypeCount> counts, String backendType) {
    }

    /** {@code counts.<type>}; a null map value means the API sent null (no non-empty group). */
    public record TypeCount(long groups, long snapshots) {
    }

    public record GcStatus(String upid, long indexFileCount, long indexDataBytes, long diskBytes, long diskChunks,
                           long removedBytes, long removedChunks, long pendingBytes, long pendingChunks,
                           long removedBad, long stillBad) {
        /** Logical bytes referenced by the indexes per byte stored; null when nothing is stored. */
        public Double dedupFactor() {
            return diskBytes > 0 ? (double) indexDataBytes / diskBytes : null;
        }
    }

    /** One file of a snapshot; {@code size == -1} and {@code cryptMode == null} when PBS gave none. */
    public record File(String name, String cryptMode, long size) {
    }

    /**
     * {@code GET /admin/datastore/{store}/snapshots?ns=} item. {@code size == -1} when PBS gave
     * no size: the snapshot is still in progress.
     */
    public record Snapshot(String store, String ns, String type, String id, long time, long size, List<File> files,
                           String owner, boolean isProtected, String comment, String verifyState, String verifyUpid,
                           String fingerprint) {
        public boolean inProgress() {
            return size < 0;
        }

        public boolean hasFile(String name) {
            for (File f : files) {
                if (f.name().equals(name)) {
                    return true;
                }
            }
            return false;
        }
    }
}
