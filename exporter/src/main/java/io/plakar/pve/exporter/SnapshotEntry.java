package io.plakar.pve.exporter;

import io.plakar.pve.proxmox.DumpName;

/** What one snapshot path is to the exporter (see {@link SnapshotLayout#classify}). */
public sealed interface SnapshotEntry {

    /**
     * A dump to restore. {@code directory} is its parent path; {@code referenceLayout} is true
     * when it sits in a Go reference plugin guest directory ({@code <type>/<vmid>_<name>/}),
     * whose sidecars arrive after it.
     */
    record Dump(String path, String directory, String baseName, DumpName name, boolean referenceLayout)
            implements SnapshotEntry {
    }

    /** A Go reference plugin sidecar of the dump named {@code dumpBaseName} in the same directory. */
    record Sidecar(String path, String directory, String dumpBaseName, Kind kind) implements SnapshotEntry {
        public enum Kind { POOL, QEMU_CONF, LXC_CONF }
    }

    /** Acknowledged without doing anything, with a note saying why. */
    record Skip(String path, String note) implements SnapshotEntry {
    }

    /** A path that must not be acted on (traversal, control characters, lies about its guest). */
    record Refused(String path, String reason) implements SnapshotEntry {
    }
}
