package io.plakar.pve.importer.audit;

/**
 * One restore drill result: a dump of a guest was restored (or not) at {@code time}.
 * {@code type} is {@code vm}, {@code ct} or null when the drill named a bare VMID.
 */
public record DrillResult(String type, String id, String dump, String snapshot, boolean passed, String phase, long time) {
    public boolean matches(String guestType, String guestId) {
        return id.equals(guestId) && (type == null || type.equals(guestType));
    }
}
