package io.plakar.pve.importer.audit;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What changed between two audits, from their {@code summary.json}: new and resolved
 * collisions, guests that became stale, new guests without a backup, and backups that
 * disappeared (a guest whose newest backup is gone, or that has none left). Pruning removes
 * old backups every day and is not reported: it never removes the newest one.
 */
public final class AuditDiff {
    private AuditDiff() {
    }

    public static AuditDocs.Changes compare(JsonNode older, JsonNode newer) {
        Set<String> oldCollisions = collisions(older);
        Set<String> newCollisions = collisions(newer);
        List<String> added = new ArrayList<>();
        for (String c : newCollisions) {
            if (!oldCollisions.contains(c)) {
                added.add(c);
            }
        }
        List<String> resolved = new ArrayList<>();
        for (String c : oldCollisions) {
            if (!newCollisions.contains(c)) {
                resolved.add(c);
            }
        }
        Map<String, JsonNode> before = guests(older);
        Map<String, JsonNode> after = guests(newer);
        List<String> stale = new ArrayList<>();
        List<String> never = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : after.entrySet()) {
            String status = e.getValue().path("status").asText();
            JsonNode was = before.get(e.getKey());
            String wasStatus = was == null ? null : was.path("status").asText();
            if (status.equals(Coverage.STALE) && !Coverage.STALE.equals(wasStatus)) {
                stale.add(e.getKey() + " (newest backup " + e.getValue().at("/latest_backup/iso").asText() + ")");
            }
            if (status.equals(Coverage.NEVER) && !Coverage.NEVER.equals(wasStatus)) {
                never.add(e.getKey() + (was == null ? " (new guest)" : " (was " + wasStatus + ")"));
            }
        }
        List<String> gone = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : before.entrySet()) {
            long had = e.getValue().path("backups").asLong();
            if (had == 0) {
                continue;
            }
            JsonNode now = after.get(e.getKey());
            long has = now == null ? 0 : now.path("backups").asLong();
            long oldNewest = e.getValue().at("/latest_backup/epoch").asLong();
            long newNewest = now == null ? 0 : now.at("/latest_backup/epoch").asLong(0);
            if (has == 0) {
                gone.add(e.getKey() + ": all " + had + " backup(s) gone");
            } else if (newNewest < oldNewest) {
                gone.add(e.getKey() + ": newest backup " + e.getValue().at("/latest_backup/iso").asText() + " gone ("
                        + had + " → " + has + " backups)");
            }
        }
        return new AuditDocs.Changes(older.path("audit_time").asText(null), added, resolved, stale, never, gone);
    }

    private static Set<String> collisions(JsonNode summary) {
        Set<String> out = new LinkedHashSet<>();
        for (JsonNode c : summary.path("collisions")) {
            out.add(c.path("guest").asText() + " " + c.path("severity").asText());
        }
        return out;
    }

    private static Map<String, JsonNode> guests(JsonNode summary) {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        for (JsonNode g : summary.at("/coverage/guests")) {
            out.put(g.path("guest").asText(), g);
        }
        return out;
    }

    /** Text lines of the changes, for report.txt and {@code pbs-audit diff}. */
    public static List<String> lines(AuditDocs.Changes c) {
        List<String> out = new ArrayList<>();
        if (c.none()) {
            out.add("no changes" + (c.since() == null ? "" : " since " + c.since()));
            return out;
        }
        section(out, "new collisions", c.newCollisions());
        section(out, "resolved collisions", c.resolvedCollisions());
        section(out, "became stale", c.becameStale());
        section(out, "new without a backup", c.newWithoutBackup());
        section(out, "backups disappeared", c.backupsDisappeared());
        return out;
    }

    private static void section(List<String> out, String title, List<String> items) {
        if (!items.isEmpty()) {
            out.add(title + " (" + items.size() + "): " + String.join(", ", items));
        }
    }
}
