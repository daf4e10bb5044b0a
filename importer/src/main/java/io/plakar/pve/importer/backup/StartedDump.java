package io.plakar.pve.importer.backup;

import io.plakar.pve.proxmox.DumpName;
import io.plakar.pve.proxmox.Guest;
import java.time.Instant;
import java.util.List;

/**
 * A dump whose archive has started to arrive: its canonical name (the compression comes
 * from the sniffed head), when it started, the stream (head included), and the files a
 * dump_dir transport left on the node, to remove once the host acknowledged the record.
 */
public record StartedDump(Guest guest, DumpName name, Instant start, DumpStream stream, List<String> leftoverFiles) {
    public StartedDump {
        leftoverFiles = List.copyOf(leftoverFiles);
    }
}
