package io.plakar.pve.exporter;

import io.plakar.pve.proxmox.GuestType;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The argv of a restore, exactly in the order the facts give: {@code qmrestore <archive>
 * <vmid> [OPTIONS]} (archive first) and {@code pct restore <vmid> <archive> [OPTIONS]}
 * (vmid first). Booleans are always {@code --flag 1} so no value is swallowed; {@code --force 1}
 * is always given (the guest check before decided whether overwriting is allowed).
 */
public record RestoreCommand(GuestType type, String archive, int vmid, Optional<String> storage,
                             Optional<String> pool, boolean unique, OptionalLong bwlimitKiB) {

    public List<String> argv() {
        List<String> a = new ArrayList<>();
        if (type == GuestType.QEMU) {
            a.add("qmrestore");
            a.add(archive);
            a.add(Integer.toString(vmid));
        } else {
            a.add("pct");
            a.add("restore");
            a.add(Integer.toString(vmid));
            a.add(archive);
        }
        a.add("--force");
        a.add("1");
        storage.ifPresent(s -> {
            a.add("--storage");
            a.add(s);
        });
        pool.ifPresent(p -> {
            a.add("--pool");
            a.add(p);
        });
        if (unique) {
            a.add("--unique");
            a.add("1");
        }
        if (bwlimitKiB.isPresent()) {
            a.add("--bwlimit");
            a.add(Long.toString(bwlimitKiB.getAsLong()));
        }
        return a;
    }
}
