package io.plakar.pve.importer.audit;

import io.plakar.pve.proxmox.Sizes;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * {@code /report/report.html}: the content of report.txt as tables, readable in any browser
 * without the network or scripts: one file, inline CSS, the age chart drawn as inline SVG.
 */
public final class AuditReportHtml {
    /** The chart shows the guests most in need of attention; the table below lists them all. */
    static final int CHART_GUESTS = 40;

    private AuditReportHtml() {
    }

    public static byte[] render(AuditModel.Result r) {
        AuditInput in = r.input;
        StringBuilder h = new StringBuilder(8192);
        String verdict = Problems.verdict(r);
        String level = Problems.count(r, Problems.CRITICAL) > 0 ? "critical" : Problems.count(r, Problems.WARNING) > 0
                ? "warning" : r.problems.isEmpty() ? "ok" : "info";
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>PBS audit of ")
                .append(esc(in.pbsHost + ":" + in.pbsPort)).append("</title>\n<style>\n")
                .append("body{font-family:sans-serif;margin:1.5em;color:#222}table{border-collapse:collapse;margin:.5em 0 1.5em}")
                .append("th,td{border:1px solid #bbb;padding:.25em .6em;text-align:left;vertical-align:top}th{background:#eee}")
                .append(".verdict{font-size:1.4em;font-weight:bold;padding:.5em;border-radius:4px}")
                .append(".critical{background:#f8d0d0}.warning{background:#fbeabc}.info{background:#dde8f8}.ok{background:#d4f0d4}")
                .append("td.num{text-align:right}\n</style></head><body>\n");
        h.append("<p id=\"verdict\" class=\"verdict ").append(level).append("\">").append(esc(verdict)).append("</p>\n");
        h.append("<p>PBS audit of ").append(esc(in.pbsHost + ":" + in.pbsPort))
                .append(in.pbsNode == null ? "" : " (node " + esc(in.pbsNode) + ")")
                .append(", audit time ").append(esc(in.auditTime.toString()))
                .append(in.pve == null ? ", no PVE cross-check" : ", PVE " + esc(AuditModel.clusterName(in.pve)))
                .append(".</p>\n");

        h.append("<h2>Problems</h2>\n");
        if (r.problems.isEmpty()) {
            h.append("<p>None.</p>\n");
        } else {
            h.append("<table id=\"problems\"><tr><th>severity</th><th>what</th><th>subject</th><th>details</th></tr>\n");
            for (Problems.Problem p : r.problems) {
                h.append("<tr class=\"").append(p.severity()).append("\"><td>").append(esc(p.severity())).append("</td><td>")
                        .append(esc(p.kind())).append("</td><td>").append(esc(p.subject())).append("</td><td>")
                        .append(esc(p.text())).append("</td></tr>\n");
            }
            h.append("</table>\n");
        }
        if (r.changes != null) {
            h.append("<h2>Changes since the previous audit</h2>\n<ul>\n");
            for (String l : AuditDiff.lines(r.changes)) {
                h.append("<li>").append(esc(l)).append("</li>\n");
            }
            h.append("</ul>\n");
        }

        h.append("<h2>Age of the newest backup</h2>\n");
        chart(h, r);

        h.append("<h2>Guests</h2>\n<table id=\"guests\"><tr><th>guest</th><th>name</th><th>status</th><th>newest backup</th>")
                .append("<th>age</th><th>copies</th><th>verification</th><th>last job</th><th>last good restore</th></tr>\n");
        for (AuditModel.Guest g : r.guests.values()) {
            Long age = Coverage.age(r, g);
            h.append("<tr class=\"").append(rowClass(g)).append("\"><td>").append(esc(g.type + "/" + g.id)).append("</td><td>")
                    .append(esc(g.name == null ? "" : g.name)).append("</td><td>").append(esc(g.status))
                    .append(g.excludedBy == null ? "" : " (" + esc(g.excludedBy) + ")").append("</td><td>")
                    .append(g.latestBackup == null ? "never" : esc(AuditModel.iso(g.latestBackup))).append("</td><td>")
                    .append(age == null ? "" : esc(Coverage.human(age))).append("</td><td>")
                    .append(esc(String.join(", ", g.copies.keySet()))).append("</td><td>")
                    .append(esc(g.newestPbsVerifyState == null ? (g.newestPbs == null ? "" : "not verified") : g.newestPbsVerifyState))
                    .append("</td><td>").append(g.lastTask == null ? "" : esc((g.lastTask.succeeded() ? "OK " : g.lastTask.running()
                            ? "running " : "FAILED ") + AuditModel.iso(g.lastTask.start())))
                    .append("</td><td>").append(g.lastGoodDrill == null ? "" : esc(AuditModel.iso(g.lastGoodDrill.time())))
                    .append("</td></tr>\n");
        }
        h.append("</table>\n");

        h.append("<h2>Collisions</h2>\n");
        if (r.collisions.isEmpty()) {
            h.append("<p>None.</p>\n");
        } else {
            h.append("<table id=\"collisions\"><tr><th>severity</th><th>guest</th><th>locations</th><th>why</th></tr>\n");
            for (AuditModel.Collision c : r.collisions) {
                List<String> locs = new ArrayList<>();
                c.locations().forEach(l -> locs.add(l.location()));
                h.append("<tr class=\"").append(c.severity()).append("\"><td>").append(esc(c.severity())).append("</td><td>")
                        .append(esc(c.type() + "/" + c.id())).append("</td><td>").append(esc(String.join(", ", locs)))
                        .append("</td><td>").append(esc(String.join("; ", c.reasons()))).append("</td></tr>\n");
            }
            h.append("</table>\n");
        }

        h.append("<h2>Datastores</h2>\n<table id=\"datastores\"><tr><th>datastore</th><th>namespace</th><th>snapshots</th>")
                .append("<th>in progress</th><th>size</th><th>VMs</th><th>CTs</th><th>hosts</th></tr>\n");
        for (AuditInput.StoreData sd : in.stores) {
            for (Map.Entry<String, AuditModel.NsStats> e : r.namespaces.getOrDefault(sd.store, Map.of()).entrySet()) {
                AuditModel.NsStats n = e.getValue();
                h.append("<tr><td>").append(esc(sd.store)).append("</td><td>").append(esc(AuditInput.nsPath(e.getKey())))
                        .append(n.readable ? "" : " (not readable)").append("</td><td class=\"num\">").append(n.snapshots)
                        .append("</td><td class=\"num\">").append(n.inProgress).append("</td><td class=\"num\">")
                        .append(esc(Sizes.human(n.size, 2))).append("</td><td class=\"num\">").append(n.vms.size())
                        .append("</td><td class=\"num\">").append(n.cts.size()).append("</td><td class=\"num\">")
                        .append(n.hosts.size()).append("</td></tr>\n");
            }
        }
        h.append("</table>\n<p>Backups: ").append(r.rawPbs + r.rawPve).append(" listed, ").append(r.backups.size())
                .append(" distinct, ").append(r.merged.size()).append(" merged.</p>\n");
        if (!in.notes.isEmpty()) {
            h.append("<h2>Notes</h2>\n<ul>\n");
            in.notes.forEach(n -> h.append("<li>").append(esc(n)).append("</li>\n"));
            h.append("</ul>\n");
        }
        h.append("</body></html>\n");
        return h.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String rowClass(AuditModel.Guest g) {
        return switch (g.status) {
            case Coverage.NEVER -> "critical";
            case Coverage.STALE -> "warning";
            case Coverage.OK -> "ok";
            default -> "info";
        };
    }

    /**
     * One horizontal bar per guest, its length the age of the newest backup on a scale of twice
     * {@code max_age}; a dashed line marks {@code max_age}. Guests never backed up get a full red bar.
     */
    private static void chart(StringBuilder h, AuditModel.Result r) {
        long maxAge = r.input.policy.maxAge().toSeconds();
        List<AuditModel.Guest> shown = new ArrayList<>();
        for (AuditModel.Guest g : r.guests.values()) {
            if (!g.status.equals(Coverage.EXCLUDED)) {
                shown.add(g);
            }
        }
        shown.sort(Comparator.comparingLong((AuditModel.Guest g) -> {
            Long a = Coverage.age(r, g);
            return a == null ? Long.MIN_VALUE : -a;
        }));
        if (shown.size() > CHART_GUESTS) {
            shown = shown.subList(0, CHART_GUESTS);
        }
        int rowH = 18;
        int labelW = 200;
        int barW = 400;
        int height = shown.size() * rowH + 20;
        h.append("<svg id=\"age-chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(labelW + barW + 120)
                .append("\" height=\"").append(height).append("\" role=\"img\" aria-label=\"age of the newest backup per guest\">\n");
        int y = 0;
        for (AuditModel.Guest g : shown) {
            Long age = Coverage.age(r, g);
            double frac = age == null ? 1.0 : Math.min(1.0, age / (2.0 * maxAge));
            String color = age == null ? "#c0392b" : age > maxAge ? "#e67e22" : "#27ae60";
            String label = g.type + "/" + g.id + (g.name == null ? "" : " " + g.name);
            h.append("<text x=\"0\" y=\"").append(y + 13).append("\" font-size=\"12\">").append(esc(label)).append("</text>")
                    .append("<rect x=\"").append(labelW).append("\" y=\"").append(y + 3).append("\" width=\"")
                    .append(Math.max(1, Math.round(frac * barW))).append("\" height=\"").append(rowH - 6)
                    .append("\" fill=\"").append(color).append("\"/>")
                    .append("<text x=\"").append(labelW + barW + 6).append("\" y=\"").append(y + 13)
                    .append("\" font-size=\"12\">").append(age == null ? "never" : esc(Coverage.human(age))).append("</text>\n");
            y += rowH;
        }
        int mark = labelW + barW / 2;
        h.append("<line x1=\"").append(mark).append("\" y1=\"0\" x2=\"").append(mark).append("\" y2=\"").append(y)
                .append("\" stroke=\"#333\" stroke-dasharray=\"4 3\"/>")
                .append("<text x=\"").append(mark + 3).append("\" y=\"").append(y + 14).append("\" font-size=\"11\">max age ")
                .append(esc(Coverage.human(maxAge))).append("</text>\n</svg>\n");
    }

    static String esc(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '&' -> sb.append("&amp;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }
}
