package io.plakar.pve.importer.backup;

import io.plakar.pve.proxmox.DumpDir;
import io.plakar.pve.proxmox.DumpName;
import io.plakar.pve.proxmox.Guest;

import java.time.Instant;
import java.util.Optional;

/**
 * A dump whose archive has started to arrive: its canonical name (the compression comes
 * from the sniffed head), when it started, the stream (head included), and, for the dump_dir
 * transport, the run's private directory on the node, removed once the host acknowledged
 * the record.
 */
public record StartedDump(Guest guest, DumpName name, Instant start, DumpStream stream, Optional<DumpDir> privateDir) {
}
