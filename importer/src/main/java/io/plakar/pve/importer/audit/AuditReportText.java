package io.plakar.pve.importer.audit;

import io.plakar.pve.proxmox.Sizes;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code /report/report.txt}: the audit as plain text (no colours). The first line is the
 * verdict, then the problems most severe first, what changed since the previous audit, the
 * guests' coverage, then the details: collisions, datastores and namespaces, sources.
 */
public final class AuditReportText {
    private AuditReportText() {
    }

    private static String human(long bytes) {
        return Sizes.human(bytes, 2);
    }

    private static String plural(long n, String one, String many) {
        return n + " " + (n == 1 ? one : many);
    }

    public static byte[] render(AuditModel.Result r) {
        AuditInput in = r.input;
        StringBuilder sb = new StringBuilder();
        sb.append(Problems.verdict(r)).append("\n\n");
        if (!r.problems.isEmpty()) {
            sb.append("Problems\n");
            for (Problems.Problem p : r.problems) {
                sb.append(String.format(Locale.ROOT, "  %-8s %-28s %s%n", p.severity().toUpperCase(Locale.ROOT), p.subject(),
                        p.text()).replace("\r", ""));
            }
            sb.append('\n');
        }
        if (r.changes != null) {
            sb.append("Changes since the previous audit\n");
            AuditDiff.lines(r.changes).forEach(l -> sb.append("  ").append(l).append('\n'));
            sb.append('\n');
        }
        sb.append("PBS audit of ").append(in.pbsHost).append(':').append(in.pbsPort);
        List<String> meta = new ArrayList<>();
        if (in.pbsNode != null) {
            meta.add("node " + in.pbsNode);
        }
        if (in.pbsVersion != null) {
            meta.add("PBS " + in.pbsVersion);
        }
        if (!meta.isEmpty()) {
            sb.append(" (").append(String.join(", ", meta)).append(')');
        }
        sb.append('\n');
        sb.append("Audit time: ").append(in.auditTime).append('\n');
        if (in.pve != null) {
            sb.append("PVE cross-check: ").append(AuditModel.clusterName(in.pve)).append(" (").append(in.pve.endpoint)
                    .append(", ").append(plural(in.pve.nodes.size(), "node", "nodes")).append(")\n");
        } else {
            sb.append("PVE cross-check: not configured\n");
        }
        sb.append('\n');

        sb.append("Collisions: ").append(r.collisions("critical")).append(" critical, ")
                .append(r.collisions("warning")).append(" warning\n");
        for (AuditModel.Collision c : r.collisions) {
            sb.append(String.format(Locale.ROOT, "  %-8s %s/%s%n", c.severity().toUpperCase(Locale.ROOT), c.type(), c.id())
                    .replace("\r", ""));
            for (String reason : c.reasons()) {
                sb.append("           ").append(reason).append('\n');
            }
        }
        sb.append('\n');

        sb.append("Datastores\n");
        for (AuditInput.StoreData sd : in.stores) {
            Map<String, AuditModel.NsStats> nss = r.namespaces.getOrDefault(sd.store, Map.of());
            AuditModel.StoreTotals totals = AuditModel.StoreTotals.of(nss.values());
            long s1 = totals.snapshots();
            long p1 = totals.inProgress();
            long z1 = totals.size();
            sb.append(sd.store).append(": ").append(plural(s1, "snapshot", "snapshots"));
            if (p1 > 0) {
                sb.append(" (").append(p1).append(" in progress)");
            }
            sb.append(", ").append(human(z1));
            if (sd.status != null && sd.status.gc() != null && sd.status.gc().dedupFactor() != null) {
                sb.append(String.format(Locale.ROOT, ", dedup factor %.2f", sd.status.gc().dedupFactor()));
            }
            if (sd.status != null && sd.status.total() > 0) {
                sb.append(String.format(Locale.ROOT, ", %s of %s used", human(sd.status.used()), human(sd.status.total())));
            }
            if (!sd.namespaceSupport) {
                sb.append(" [no namespace support: PBS older than 2.2, root only]");
            }
            sb.append('\n');
            for (Map.Entry<String, AuditModel.NsStats> e : nss.entrySet()) {
                AuditModel.NsStats n = e.getValue();
                String ns = e.getKey();
                int depth = ns.isEmpty() ? 0 : ns.split("/").length;
                sb.append("  ".repeat(depth + 1)).append(AuditInput.nsPath(ns)).append(": ");
                if (!n.readable) {
                    sb.append("NOT READABLE\n");
                    continue;
                }
                sb.append(plural(n.snapshots, "snapshot", "snapshots"));
                if (n.inProgress > 0) {
                    sb.append(" (").append(n.inProgress).append(" in progress)");
                }
                sb.append(", ").append(human(n.size)).append("; ")
                        .append(plural(n.vms.size(), "VM", "VMs")).append(", ")
                        .append(plural(n.cts.size(), "CT", "CTs")).append(", ")
                        .append(plural(n.hosts.size(), "host", "hosts"));
                if (n.latest != null) {
                    sb.append("; latest ").append(AuditModel.iso(n.latest));
                }
                sb.append('\n');
            }
        }
        sb.append('\n');

        List<AuditInput.Incomplete> all = new ArrayList<>(in.incomplete);
        if (in.pve != null) {
            all.addAll(in.pve.incomplete);
        }
        if (!all.isEmpty()) {
            sb.append("Incomplete (").append(all.size()).append(")\n");
            for (AuditInput.Incomplete i : all) {
                sb.append("  ").append(i.datastore() == null ? "" : i.datastore())
                        .append(i.namespace() == null ? "" : ":" + AuditInput.nsPath(i.namespace()))
                        .append(" [").append(i.part()).append("] ").append(i.reason()).append('\n');
            }
            sb.append('\n');
        }
        if (!in.notes.isEmpty()) {
            sb.append("Notes\n");
            for (String n : in.notes) {
                sb.append("  ").append(n).append('\n');
            }
            sb.append('\n');
        }

        sb.append("Sources (rows listed)\n");
        for (Map.Entry<String, Long> e : r.raw.entrySet()) {
            sb.append("  ").append(e.getKey()).append(": ").append(e.getValue()).append('\n');
        }
        sb.append("  raw ").append(r.rawPbs + r.rawPve).append(", distinct ").append(r.backups.size())
                .append(" (PBS ").append(r.count(AuditModel.Label.PBS))
                .append(", PBS via PVE ").append(r.count(AuditModel.Label.PBS_VIA_PVE))
                .append(", PVE ").append(r.count(AuditModel.Label.PVE)).append("), ")
                .append(plural(r.merged.size(), "entry", "entries")).append(" merged\n\n");

        sb.append("Coverage (max age ").append(Coverage.human(in.policy.maxAge().toSeconds())).append(")\n");
        for (AuditModel.Guest g : r.guests.values()) {
            Long age = Coverage.age(r, g);
            sb.append(String.format(Locale.ROOT, "  %-10s %-24s %-9s %-12s %d cop%s%s%s%n", g.type + "/" + g.id,
                    g.name == null ? "" : g.name, g.status, age == null ? "-" : Coverage.human(age) + " old",
                    g.copies.size(), g.copies.size() == 1 ? "y" : "ies",
                    g.excludedBy == null ? "" : ", excluded: " + g.excludedBy,
                    g.lastGoodDrill == null ? "" : ", restored " + AuditModel.iso(g.lastGoodDrill.time())).replace("\r", ""));
        }
        sb.append('\n');

        long vms = r.guests.values().stream().filter(g -> g.type.equals("vm") && (g.backups + g.inProgress) > 0).count();
        long cts = r.guests.values().stream().filter(g -> g.type.equals("ct") && (g.backups + g.inProgress) > 0).count();
        long never = r.guests.values().stream().filter(g -> g.backups == 0).count();
        sb.append("Guests: ").append(plural(vms, "VM", "VMs")).append(" and ").append(plural(cts, "CT", "CTs"))
                .append(" with backups");
        if (in.pve != null) {
            sb.append(", ").append(never).append(" without a finished backup");
        }
        sb.append('\n');
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }
}
