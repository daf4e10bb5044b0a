package io.plakar.pve.exporter;

import io.plakar.pve.exporter.ProxmoxExporterConfig.RestoreOptions;
import io.plakar.pve.proxmox.GuestType;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The one place a restore command line is made: {@code qmrestore <archive> <vmid> [OPTIONS]}
 * (archive first) and {@code pct restore <vmid> <archive> [OPTIONS]} (vmid first). Booleans are
 * always {@code --flag 1} so no value is swallowed.
 *
 * <p>{@code --force 1} switches off Proxmox's own atomic, cluster-wide "VMID already exists"
 * check and lets the tool free the existing guest's disks: it is given only when the user asked
 * to overwrite ({@code force_vm_restore=true}) and the target exists. Every other restore relies
 * on that check, so a guest created under the VMID a moment ago is never taken over.
 */
public record RestoreCommand(GuestType type, String archive, int vmid, boolean overwrite, Optional<String> pool,
                             RestoreOptions options) {

    public List<String> argv() {
        List<String> a = new ArrayList<>();
        if (type == GuestType.QEMU) {
            a.addAll(List.of("qmrestore", archive, Integer.toString(vmid)));
        } else {
            a.addAll(List.of("pct", "restore", Integer.toString(vmid), archive));
        }
        if (overwrite) {
            a.addAll(List.of("--force", "1"));
        }
        options.storage().ifPresent(s -> a.addAll(List.of("--storage", s)));
        pool.ifPresent(p -> a.addAll(List.of("--pool", p)));
        if (options.unique()) {
            a.addAll(List.of("--unique", "1"));
        }
        options.bwlimitKiB().ifPresent(b -> a.addAll(List.of("--bwlimit", Long.toString(b))));
        return a;
    }

    /** The same command with another storage (a container's rootfs storage read from its dump). */
    public RestoreCommand withStorage(String storage) {
        return new RestoreCommand(type, archive, vmid, overwrite, pool,
                new RestoreOptions(options.newId(), Optional.of(storage), options.pool(), options.unique(),
                        options.force(), options.startOnRestore(), options.bwlimitKiB(), options.transport(),
                        options.shutdownTimeout()));
    }
}
