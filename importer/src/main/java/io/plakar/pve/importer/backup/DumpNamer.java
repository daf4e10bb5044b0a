package io.plakar.pve.importer.backup;

import io.plakar.pve.proxmox.Compression;
import io.plakar.pve.proxmox.DumpName;
import io.plakar.pve.proxmox.GuestType;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.HashSet;
import java.util.Set;

/**
 * Gives every dump of one run a name no other dump of the run has. The name carries the
 * dump start to the second (vzdump's format), so two dumps of one guest within a second
 * would collide; the later one is moved to the next free second. The zone is the plugin
 * host's (in local mode that is the node's; over SSH the node's zone is not asked for).
 */
public final class DumpNamer {
    private final ZoneId zone;
    private final Set<String> used = new HashSet<>();

    public DumpNamer(ZoneId zone) {
        this.zone = zone;
    }

    public synchronized DumpName name(GuestType type, int vmid, Instant start, Compression compression) {
        LocalDateTime t = LocalDateTime.ofInstant(start, zone).withNano(0);
        while (!used.add(type.id() + "-" + vmid + "-" + t)) {
            t = t.plusSeconds(1);
        }
        return DumpName.of(type, vmid, t, compression);
    }
}
