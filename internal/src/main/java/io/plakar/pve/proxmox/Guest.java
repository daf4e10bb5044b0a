package io.plakar.pve.proxmox;

import java.util.Objects;

/** One guest as the cluster inventory reports it. {@code name} may be empty (no RRD data yet). */
public record Guest(int vmid, GuestType type, String node, String name, String status, boolean template) {
    public Guest {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(node, "node");
        name = name == null ? "" : name;
        status = status == null ? "unknown" : status;
    }

    /** {@code VM 101 (qemu) on pve1}: how every log line and error names a guest. */
    public String describe() {
        return (type == GuestType.QEMU ? "VM " : "CT ") + vmid + " (" + type.id()
                + (name.isEmpty() ? "" : ", " + name) + ") on node " + node;
    }
}
