package io.plakar.pve.exporter;

import java.util.Map;
import java.util.OptionalInt;

/**
 * Bulk disaster-recovery restores under other VMIDs: {@code vmid_map=101:9101,102:9102} or
 * {@code newid_offset=9000}. Each target must be free: a mapping never overwrites (the restore
 * of a target that exists fails, even with force_vm_restore, which is refused with these keys).
 */
record TargetIds(Map<Integer, Integer> map, OptionalInt offset) {
    static final TargetIds NONE = new TargetIds(Map.of(), OptionalInt.empty());

    boolean active() {
        return !map.isEmpty() || offset.isPresent();
    }

    /** The VMID the dump of {@code vmid} is restored to; empty when vmid_map does not name it. */
    OptionalInt targetOf(int vmid) {
        if (offset.isPresent()) {
            long t = (long) vmid + offset.getAsInt();
            return t > 999_999_999L ? OptionalInt.empty() : OptionalInt.of((int) t);
        }
        Integer t = map.get(vmid);
        return t == null ? OptionalInt.empty() : OptionalInt.of(t);
    }

    /** Why a dump has no target, for its failed result. */
    String noTarget(int vmid) {
        if (offset.isPresent()) {
            return "VMID " + vmid + " + newid_offset=" + offset.getAsInt() + " is above 999999999; nothing was restored";
        }
        return "vmid_map does not name VMID " + vmid + "; this dump was not restored (add " + vmid + ":<free id> to vmid_map)";
    }
}
