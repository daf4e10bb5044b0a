package io.plakar.pve.importer.audit.api;

import java.util.Set;

/** What the PVE API returns, as the audit needs it. Numbers and booleans read leniently (PVE is Perl). */
public final class PveTypes {
    private PveTypes() {
    }

    public record Node(String node, String status) {
    }

    /** {@code GET /nodes/{node}/storage} item; {@code content} is a set (unordered in the API). */
    public record Storage(String storage, String type, Set<String> content, boolean shared, boolean active, boolean enabled) {
    }

    /** The parts of a {@code pbs} storage's configuration that say which PBS it points at. */
    public record PbsStorageConfig(String storage, String server, int port, String datastore, String namespace,
                                   String fingerprint) {
    }

    /** {@code GET /nodes/{node}/storage/{storage}/content?content=backup} item. */
    public record Backup(String volid, String format, String subtype, long vmid, long ctime, long size, String notes,
                         boolean isProtected, String verifyState, String encrypted) {
    }

    /** {@code GET /cluster/resources?type=vm} item; {@code type} is {@code qemu} or {@code lxc}. */
    public record Guest(long vmid, String node, String type, String name, boolean template, Set<String> tags) {
    }

    /** A guest snapshot ({@code current} excluded); {@code snaptime == 0} when unknown. */
    public record Snapshot(String name, long snaptime) {
    }
}
