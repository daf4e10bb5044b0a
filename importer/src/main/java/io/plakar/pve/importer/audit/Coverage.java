package io.plakar.pve.importer.audit;


import java.util.Locale;

/**
 * Is every guest backed up, recently? Gives each guest of the audit one status:
 * <ul>
 * <li>{@code excluded}: a template, a VMID in {@code exclude}, or a tag in {@code exclude_tag};
 *     not expected to have backups;</li>
 * <li>{@code orphaned}: backups of a VM or container the PVE inventory no longer lists;</li>
 * <li>{@code never}: no complete backup anywhere (backups in progress do not count);</li>
 * <li>{@code stale}: the newest complete backup is older than {@code max_age};</li>
 * <li>{@code ok}.</li>
 * </ul>
 * Without a PVE inventory the guests are the PBS groups, and nothing can be orphaned.
 */
final class Coverage {
    static final String OK = "ok";
    static final String STALE = "stale";
    static final String NEVER = "never";
    static final String EXCLUDED = "excluded";
    static final String ORPHANED = "orphaned";

    private Coverage() {
    }

    static void assess(AuditModel.Result r) {
        AuditInput in = r.input;
        long now = in.auditTime.getEpochSecond();
        long maxAge = in.policy.maxAge().toSeconds();
        boolean inventory = inventoryKnown(in);
        for (AuditModel.Guest g : r.guests.values()) {
            g.excludedBy = exclusion(in, g);
            boolean pveGuest = g.type.equals("vm") || g.type.equals("ct");
            if (g.excludedBy != null) {
                g.status = EXCLUDED;
            } else if (inventory && pveGuest && !g.inInventory) {
                g.status = ORPHANED;
            } else if (g.latestBackup == null) {
                g.status = NEVER;
            } else if (now - g.latestBackup > maxAge) {
                g.status = STALE;
            } else {
                g.status = OK;
            }
        }
    }

    /** The inventory was read completely: a guest missing from it is gone, not just unseen. */
    static boolean inventoryKnown(AuditInput in) {
        if (in.pve == null) {
            return false;
        }
        for (AuditInput.Incomplete i : in.pve.incomplete) {
            if (i.part().equals("pve") || i.part().equals("pve-guests")) {
                return false;
            }
        }
        return true;
    }

    private static String exclusion(AuditInput in, AuditModel.Guest g) {
        if (g.template) {
            return "template";
        }
        if (!g.type.equals("host")) {
            try {
                if (in.policy.excludeIds().contains(Long.parseLong(g.id))) {
                    return "exclude=" + g.id;
                }
            } catch (NumberFormatException ignored) {
                // not a VMID
            }
        }
        for (String t : g.tags) {
            if (in.policy.excludeTags().contains(t.toLowerCase(Locale.ROOT))) {
                return "tag " + t;
            }
        }
        return null;
    }

    /** Seconds since the newest complete backup, or null when there is none. */
    static Long age(AuditModel.Result r, AuditModel.Guest g) {
        return g.latestBackup == null ? null : r.input.auditTime.getEpochSecond() - g.latestBackup;
    }

    /** {@code 2d 3h}, {@code 5h 10m}, {@code 42m}: ages as a person reads them. */
    static String human(long seconds) {
        long m = Math.max(0, seconds) / 60;
        long h = m / 60;
        long d = h / 24;
        if (d > 0) {
            return d + "d " + (h % 24) + "h";
        }
        if (h > 0) {
            return h + "h " + (m % 60) + "m";
        }
        return m + "m";
    }

}
