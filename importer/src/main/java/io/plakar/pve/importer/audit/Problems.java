package io.plakar.pve.importer.audit;

import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * What an administrator should act on, each with a severity:
 * <ul>
 * <li>{@code critical}: a critical VMID collision (backups overwrite each other's history), a
 *     guest never backed up, a newest backup that failed verification (the latest restore point
 *     is damaged);</li>
 * <li>{@code warning}: a collision across namespaces, a stale guest, a last backup job that
 *     failed, a guest with a single copy, a part of the estate that could not be read;</li>
 * <li>{@code info}: backups of a guest that no longer exists, backups never verified.</li>
 * </ul>
 */
public final class Problems {
    public static final String CRITICAL = "critical";
    public static final String WARNING = "warning";
    public static final String INFO = "info";
    private static final List<String> ORDER = List.of(CRITICAL, WARNING, INFO);

    private Problems() {
    }

    /** One problem: {@code subject} is the guest ({@code vm/100}) or the part concerned. */
    public record Problem(String severity, String kind, String subject, String text) {
    }

    static void collect(AuditModel.Result r) {
        List<Problem> out = r.problems;
        for (AuditModel.Collision c : r.collisions) {
            out.add(new Problem(c.severity(), "collision", c.type() + "/" + c.id(), String.join("; ", c.reasons())));
        }
        long maxAge = r.input.policy.maxAge().toSeconds();
        for (AuditModel.Guest g : r.guests.values()) {
            String who = g.type + "/" + g.id + (g.name == null ? "" : " (" + g.name + ")");
            switch (g.status) {
                case Coverage.NEVER -> out.add(new Problem(CRITICAL, "never", who, "never backed up"
                        + (g.inProgress > 0 ? " (" + g.inProgress + " in progress)" : "")));
                case Coverage.STALE -> out.add(new Problem(WARNING, "stale", who, "newest backup "
                        + Coverage.human(Coverage.age(r, g)) + " old (" + AuditModel.iso(g.latestBackup) + "), more than "
                        + Coverage.human(maxAge)));
                case Coverage.ORPHANED -> out.add(new Problem(INFO, "orphaned", who, g.backups
                        + " backup(s) of a guest the PVE inventory no longer lists"));
                default -> {
                }
            }
            boolean expected = g.status.equals(Coverage.OK) || g.status.equals(Coverage.STALE);
            if ("failed".equals(g.newestPbsVerifyState)) {
                out.add(new Problem(CRITICAL, "verification", who, "newest PBS backup (" + AuditModel.iso(g.newestPbs)
                        + ") failed verification" + (g.newestVerified == null ? "; no verified backup"
                        : "; newest verified " + AuditModel.iso(g.newestVerified))));
            } else if (g.newestPbs != null && g.newestVerified == null && expected) {
                out.add(new Problem(INFO, "unverified", who, "no PBS backup was ever verified"));
            }
            if (g.lastTask != null && !g.lastTask.running() && !g.lastTask.succeeded()) {
                out.add(new Problem(WARNING, "job", who, "last backup job failed (" + g.lastTask.type() + " on "
                        + g.lastTask.node() + ", " + AuditModel.iso(g.lastTask.start()) + "): " + g.lastTask.status()));
            }
            if (expected && g.copies.size() == 1) {
                out.add(new Problem(WARNING, "single-copy", who, "a single copy, at " + g.copies.keySet().iterator().next()));
            }
        }
        for (AuditInput.Incomplete i : r.allIncomplete()) {
            out.add(new Problem(WARNING, "incomplete", i.datastore() == null ? i.part() : i.datastore()
                    + (i.namespace() == null ? "" : ":" + AuditInput.nsPath(i.namespace())), i.reason()));
        }
        // stable: within a severity, in the order above (collisions, then guests in order, then parts)
        out.sort(Comparator.comparingInt((Problem p) -> ORDER.indexOf(p.severity())));
    }

    public static long count(AuditModel.Result r, String severity) {
        return r.problems.stream().filter(p -> p.severity().equals(severity)).count();
    }

    /** {@code OK: no problems found} or {@code 7 problems: 2 critical, 4 warning, 1 info}. */
    public static String verdict(AuditModel.Result r) {
        if (r.problems.isEmpty()) {
            return "OK: no problems found";
        }
        StringBuilder sb = new StringBuilder();
        sb.append(r.problems.size()).append(r.problems.size() == 1 ? " problem: " : " problems: ");
        String sep = "";
        for (String s : ORDER) {
            long n = count(r, s);
            if (n > 0) {
                sb.append(sep).append(n).append(' ').append(s);
                sep = ", ";
            }
        }
        return (count(r, CRITICAL) > 0 ? "CRITICAL: " : count(r, WARNING) > 0 ? "WARNING: " : "NOTE: ")
                + sb.toString().toLowerCase(Locale.ROOT);
    }
}
