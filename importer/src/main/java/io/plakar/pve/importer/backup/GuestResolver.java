package io.plakar.pve.importer.backup;

import io.plakar.pve.proxmox.Guest;
import io.plakar.pve.proxmox.Resources;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Resolves a {@link Selection} against the inventory into guests to dump, or per-guest
 * errors (a VMID that does not exist, a VMID on a node outside the {@code node} filter).
 * Templates are skipped unless asked for by VMID; the {@code node} filter drops guests of
 * other nodes from all/pool quietly (that is what a filter means) but is an error for an
 * explicit VMID (the user asked for that guest).
 */
public final class GuestResolver {

    /** One resolved entry: a guest to dump, or a VMID that cannot be dumped and why. */
    public record Target(int vmid, Guest guest, String error) {
        public static Target of(Guest g) {
            return new Target(g.vmid(), g, null);
        }

        public static Target failed(int vmid, Guest g, String error) {
            return new Target(vmid, g, error);
        }

        public boolean ok() {
            return error == null;
        }
    }

    private final Resources resources;
    private final String nodeFilter;

    /** {@code nodeFilter} null or empty: every node. */
    public GuestResolver(Resources resources, String nodeFilter) {
        this.resources = resources;
        this.nodeFilter = nodeFilter == null || nodeFilter.isEmpty() ? null : nodeFilter;
    }

    public List<Target> resolve(Selection selection) throws IOException, InterruptedException {
        List<Guest> inventory = resources.guests();
        Map<Integer, Guest> byId = new HashMap<>();
        for (Guest g : inventory) {
            byId.put(g.vmid(), g);
        }
        List<Target> out = new ArrayList<>();
        if (selection instanceof Selection.Vmids v) {
            for (int id : v.vmids()) {
                Guest g = byId.get(id);
                if (g == null) {
                    out.add(Target.failed(id, null, "guest " + id + " does not exist in the cluster"
                            + " (not listed by pvesh get /cluster/resources)"));
                } else if (nodeFilter != null && !nodeFilter.equals(g.node())) {
                    out.add(Target.failed(id, g, g.describe() + " is not on node " + nodeFilter
                            + " (node=" + nodeFilter + " restricts the backup to that node)"));
                } else {
                    out.add(Target.of(g));
                }
            }
            return out;
        }
        List<Guest> candidates;
        java.util.Set<Integer> exclude;
        if (selection instanceof Selection.Pool p) {
            candidates = new ArrayList<>();
            for (Guest m : resources.poolMembers(p.pool())) {
                // the inventory is authoritative for node and template; a member it does not know is kept as is
                candidates.add(byId.getOrDefault(m.vmid(), m));
            }
            exclude = p.exclude();
        } else {
            candidates = inventory;
            exclude = ((Selection.All) selection).exclude();
        }
        candidates.stream()
                .filter(g -> !exclude.contains(g.vmid()))
                .filter(g -> !g.template())
                .filter(g -> nodeFilter == null || nodeFilter.equals(g.node()))
                .sorted(Comparator.comparingInt(Guest::vmid))
                .distinct()
                .forEach(g -> out.add(Target.of(g)));
        return out;
    }
}
