package io.plakar.pve.importer.audit;

import com.fasterxml.jackson.databind.JsonNode;
import io.plakar.pve.importer.audit.cli.PbsAuditCli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.plakar.pve.importer.audit.AuditModelTest.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What changed since the previous audit: in the connector (previous_summary) and with {@code pbs-audit diff}. */
class AuditChangesTest extends EstateFixture {
    /**
     * The previous audit, by hand: vm/100 critical (now gone), vm/101 ok (now stale), vm/100 had 5
     * backups up to T-100 (now 3, newest T-7200), vm/106 had 3 (now gone), vm/103 unknown.
     */
    static String previous() {
        return """
                {"audit_time": "2024-05-01T10:00:00Z",
                 "collisions": [{"guest": "vm/100", "severity": "critical"}],
                 "coverage": {"guests": [
                   {"guest": "vm/100", "status": "ok", "backups": 5, "latest_backup": {"epoch": %d, "iso": "%s"}},
                   {"guest": "vm/101", "status": "ok", "backups": 2, "latest_backup": {"epoch": %d, "iso": "%s"}},
                   {"guest": "vm/106", "status": "ok", "backups": 3, "latest_backup": {"epoch": %d, "iso": "%s"}}]}}
                """.formatted(T - 100, iso(T - 100), T - 200000, iso(T - 200000), T - 90000, iso(T - 90000));
    }

    static final List<String> EXPECTED = List.of(
            "new collisions (1): vm/101 warning",
            "resolved collisions (1): vm/100 critical",
            "became stale (1): vm/101 (newest backup 2024-04-30T02:26:40Z)",
            "new without a backup (1): vm/103 (new guest)",
            "backups disappeared (2): vm/100: newest backup 2024-05-02T09:58:20Z gone (5 → 3 backups), vm/106: all 3 backup(s) gone");

    @Test
    void theConnectorReportsChangesSinceThePreviousSummary(@TempDir Path tmp) throws Exception {
        Map<String, String> c = estate();
        Path prev = tmp.resolve("summary.json");
        Files.writeString(prev, previous());
        c.put("previous_summary", prev.toString());
        AuditModel.Result r = importer(c).audit();
        assertEquals(EXPECTED, AuditDiff.lines(r.changes));
        JsonNode sum = json(AuditJson.summary(r));
        assertEquals("[\"vm/101 warning\"]", sum.at("/changes/new_collisions").toString());
        assertEquals("2024-05-01T10:00:00Z", sum.at("/changes/since").asText());
        String text = new String(AuditReportText.render(r), StandardCharsets.UTF_8);
        assertTrue(text.contains("Changes since the previous audit\n  new collisions (1): vm/101 warning\n"), text);
    }

    @Test
    void pbsAuditDiffComparesTwoSummaries(@TempDir Path tmp) throws Exception {
        AuditModel.Result r = importer(estate()).audit();
        Path older = tmp.resolve("old.json");
        Path newer = tmp.resolve("new.json");
        Files.writeString(older, previous());
        Files.write(newer, AuditJson.summary(r));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = PbsAuditCli.run(new String[]{"diff", older.toString(), newer.toString()}, Map.of(),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(0, rc, err.toString(StandardCharsets.UTF_8));
        assertEquals(String.join("\n", EXPECTED) + "\n", out.toString(StandardCharsets.UTF_8));
        // the same audit twice: nothing changed
        ByteArrayOutputStream same = new ByteArrayOutputStream();
        assertEquals(0, PbsAuditCli.run(new String[]{"diff", newer.toString(), newer.toString()}, Map.of(),
                new PrintStream(same, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8)));
        assertEquals("no changes since 2024-05-02T10:00:00Z\n", same.toString(StandardCharsets.UTF_8));
        assertEquals(2, PbsAuditCli.run(new String[]{"diff", older.toString()}, Map.of(),
                new PrintStream(same, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8)));
    }
}
