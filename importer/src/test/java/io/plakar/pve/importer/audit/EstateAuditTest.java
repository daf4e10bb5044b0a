package io.plakar.pve.importer.audit;

import com.fasterxml.jackson.databind.JsonNode;
import io.plakar.pve.importer.audit.api.PveTypes;
import io.plakar.pve.testkit.pbs.Fault;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.plakar.pve.importer.audit.AuditModelTest.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every number of the hand-computed estate of {@link EstateFixture}, as the audit prints it. */
class EstateAuditTest extends EstateFixture {
    @Test
    void everyBackupCountedOnceAndEveryGuestJudged(@TempDir Path tmp) throws Exception {
        Map<String, String> c = estate();
        Path drills = tmp.resolve("drills.jsonl");
        Files.writeString(drills, String.join("\n",
                "{\"guest\": \"vm/100\", \"dump\": \"vzdump-qemu-100-2024_05_01-20_06_40.vma.zst\", \"snapshot\": \"ab12\","
                        + " \"result\": \"pass\", \"phase\": \"boot\", \"timings\": {\"restore\": 12.5}, \"time\": \"" + iso(T - 3000) + "\"}",
                "{\"guest\": 100, \"dump\": \"x\", \"snapshot\": \"cd34\", \"result\": \"fail\", \"phase\": \"restore\", \"time\": \""
                        + iso(T - 1000) + "\"}",
                "not json",
                "{\"guest\": \"ct/102\", \"result\": \"fail\", \"phase\": \"restore\", \"time\": \"" + iso(T - 500) + "\"}", ""));
        c.put("drill_reports", drills.toString());
        AuditModel.Result r = importer(c).audit();

        // 1. one identity per backup
        assertEquals(7, r.rawPbs);
        assertEquals(14, r.rawPve);
        assertEquals(9, r.backups.size());
        assertEquals(7, r.count(AuditModel.Label.PBS));
        assertEquals(1, r.count(AuditModel.Label.PBS_VIA_PVE));
        assertEquals(1, r.count(AuditModel.Label.PVE));
        assertEquals(7, r.merged.size());
        assertEquals(pbs.fingerprint(), r.input.pbsFingerprint);
        JsonNode dup = json(AuditJson.duplicates(r));
        assertEquals(21, dup.at("/raw/total").asLong());
        assertEquals(12, dup.get("removed").asLong());
        assertEquals(10, dup.at("/raw/by_source/pve:prod~1pve1~1pbs-nat").asLong() + dup.at("/raw/by_source/pve:prod~1pve2~1pbs-nat").asLong());
        String fpShort = pbs.fingerprint().substring(0, 11);
        String merged = dup.get("merged").toString();
        assertTrue(merged.contains("PBS snapshot also listed through PVE storage pbs-nat (same datastore, namespace, type, id"
                + " and backup time; pbs-nat: storage fingerprint " + fpShort + "… is the audited server's certificate)"), merged);
        assertTrue(merged.contains("PBS storage listed by 2 PVE nodes"), merged);
        JsonNode sum = json(AuditJson.summary(r));
        assertEquals("storage fingerprint " + fpShort + "… is the audited server's certificate",
                sum.at("/identity/same_server/pbs-nat").asText());
        assertTrue(sum.at("/identity/other_servers/offsite").asText().startsWith("pbs2.example.com:8007 (certificate "),
                sum.toString());
        assertEquals(7, sum.at("/totals/snapshots").asLong());
        assertEquals(1, sum.at("/totals/snapshots_in_progress").asLong());
        assertEquals(59579 + 31112, sum.at("/totals/size_bytes").asLong());

        // 2.-6. per guest
        JsonNode guests = json(AuditJson.guests(r)).get("guests");
        assertEquals("ct/102 ct/250 host/pbs1 vm/100 vm/101 vm/103 vm/104 vm/105 vm/9000", AuditModelTest.ids(guests));
        JsonNode ct102 = guests.get(0);
        assertEquals("ok", ct102.get("status").asText());
        assertEquals(3600, ct102.get("age_seconds").asLong());
        assertEquals("[{\"place\":\"pbs:pbs2.example.com:8007/backup/@root\",\"latest\":{\"epoch\":" + (T - 3600)
                + ",\"iso\":\"" + iso(T - 3600) + "\"}}]", ct102.get("copies").toString());
        assertEquals("ok", ct102.at("/verification/newest_state").asText());
        assertEquals("OK", ct102.at("/last_task/status").asText());
        assertEquals("fail", ct102.at("/last_drill/result").asText());
        assertTrue(ct102.get("last_good_restore").isNull());
        JsonNode ct250 = guests.get(1);
        assertEquals("orphaned", ct250.get("status").asText());
        JsonNode host = guests.get(2);
        assertEquals("ok", host.get("status").asText());
        assertEquals(5000, host.get("age_seconds").asLong());
        JsonNode vm100 = guests.get(3);
        assertEquals("ok", vm100.get("status").asText());
        assertEquals(3, vm100.get("backups").asLong(), "2 on PBS (each also seen twice through PVE) + 1 vzdump file");
        assertEquals(1, vm100.get("in_progress").asLong());
        assertEquals(7200, vm100.get("age_seconds").asLong());
        assertEquals("pbs:main/@root pve:prod/nas", places(vm100));
        assertEquals(T - 50000, vm100.at("/copies/1/latest/epoch").asLong());
        assertEquals(T - 7200, vm100.at("/verification/newest_verified/epoch").asLong());
        assertEquals("OK", vm100.at("/last_task/status").asText());
        assertEquals(T - 3000, vm100.at("/last_good_restore/time/epoch").asLong());
        assertEquals("boot", vm100.at("/last_good_restore/phase").asText());
        assertEquals(T - 1000, vm100.at("/last_drill/time/epoch").asLong());
        JsonNode vm101 = guests.get(4);
        assertEquals("stale", vm101.get("status").asText());
        assertEquals(200000, vm101.get("age_seconds").asLong());
        assertEquals("pbs:main/@root pbs:main/old", places(vm101));
        assertEquals("failed", vm101.at("/verification/newest_state").asText());
        assertEquals(T - 300000, vm101.at("/verification/newest_verified/epoch").asLong());
        assertEquals("backup failed: connection error", vm101.at("/last_task/status").asText());
        assertEquals("never", guests.get(5).get("status").asText());
        assertEquals("job errors", guests.get(5).at("/last_task/status").asText());
        assertEquals("excluded", guests.get(6).get("status").asText());
        assertEquals("tag nobackup", guests.get(6).get("excluded_by").asText());
        assertEquals("exclude=105", guests.get(7).get("excluded_by").asText());
        assertEquals("template", guests.get(8).get("excluded_by").asText());

        JsonNode cov = sum.get("coverage");
        assertEquals(93600, cov.get("max_age_seconds").asLong());
        assertEquals("3 1 1 3 1", cov.get("ok") + " " + cov.get("stale") + " " + cov.get("never") + " "
                + cov.get("excluded") + " " + cov.get("orphaned"));

        // 8. problems and verdict
        assertEquals("CRITICAL: 10 problems: 2 critical, 6 warning, 2 info", sum.get("verdict").asText());
        List<String> problems = new ArrayList<>();
        for (JsonNode p : sum.at("/problems/list")) {
            problems.add(p.get("severity").asText() + " " + p.get("kind").asText() + " " + p.get("subject").asText());
        }
        assertEquals(List.of(
                "critical verification vm/101 (db)",
                "critical never vm/103 (new)",
                "warning collision vm/101",
                "warning single-copy ct/102 (dns)",
                "warning single-copy host/pbs1",
                "warning stale vm/101 (db)",
                "warning job vm/101 (db)",
                "warning job vm/103 (new)",
                "info orphaned ct/250",
                "info unverified host/pbs1"), problems);
        assertTrue(sum.at("/notes/0").asText().startsWith("drill report " + drills + ": 1 line(s) skipped, first line 3: "
                + "Unrecognized token 'not'"), sum.at("/notes/0").asText());
        assertTrue(!sum.at("/notes/0").asText().contains("\n"), "one line");
        assertEquals(1, sum.get("notes").size(), sum.get("notes").toString());

        String text = new String(AuditReportText.render(r), StandardCharsets.UTF_8);
        assertTrue(text.startsWith("CRITICAL: 10 problems: 2 critical, 6 warning, 2 info\n\nProblems\n  CRITICAL vm/101 (db)                  newest PBS backup"), text);
        assertTrue(text.indexOf("Problems") < text.indexOf("PBS audit of"), text);
        assertTrue(text.contains("  vm/101     db                       stale     2d 7h old    2 copies\n"), text);
        assertTrue(text.contains("  vm/100     web                      ok        2h 0m old    2 copies, restored " + iso(T - 3000)),
                text);
    }

    private static String places(JsonNode guest) {
        StringBuilder sb = new StringBuilder();
        for (JsonNode c : guest.get("copies")) {
            sb.append(sb.isEmpty() ? "" : " ").append(c.get("place").asText());
        }
        return sb.toString();
    }

    @Test
    void withoutTheFingerprintTheNatAddressIsAnotherServer() throws Exception {
        // what the audit did before: matched by name and port, pbs-nat.example.net:18007 is not 127.0.0.1:<port>
        AuditInput in = new AuditInput();
        in.pbsHost = "127.0.0.1";
        in.pbsPort = 8007;
        in.pbsFingerprint = "aa:bb:cc:dd:ee:ff:00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff:00:11:22:33:44:55:66:77:88:99";
        PveTypes.PbsStorageConfig nat = new PveTypes.PbsStorageConfig("pbs-nat", "pbs-nat.example.net", 18007, "main", "",
                in.pbsFingerprint.toUpperCase());
        assertTrue(AuditModel.identify(in, nat).startsWith("storage fingerprint aa:bb:cc:dd…"));
        // a name of the audited server with another certificate is another server: the certificate decides
        PveTypes.PbsStorageConfig sameNameOtherCert = new PveTypes.PbsStorageConfig("s", "127.0.0.1", 8007, "main", "",
                "00:bb:cc:dd:ee:ff:00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff:00:11:22:33:44:55:66:77:88:99");
        assertNull(AuditModel.identify(in, sameNameOtherCert));
        // no fingerprint in the storage: the name and port are the fallback
        PveTypes.PbsStorageConfig byName = new PveTypes.PbsStorageConfig("s", "127.0.0.1", 8007, "main", "", null);
        assertEquals("storage server 127.0.0.1:8007 is a name of the audited server (no certificate fingerprint to compare)",
                AuditModel.identify(in, byName));
        assertNull(AuditModel.identify(in, new PveTypes.PbsStorageConfig("s", "127.0.0.1", 18007, "main", "", null)));
    }

    @Test
    void optionalEndpointsAnswering403404501AreNotesNotRetries() throws Exception {
        Map<String, String> c = estate();
        pve.fault("/cluster/status", Fault.status(403, "Permission check failed (/, Sys.Audit)"));
        pve.fault("/nodes/pve2/tasks", Fault.status(501, "Method 'GET /nodes/pve2/tasks' not implemented"));
        pbs.fault("/nodes/localhost/tasks", Fault.status(404, "Path '/api2/json/nodes/localhost/tasks' not found."));
        AuditModel.Result r = importer(c).audit();
        assertEquals(1, pve.hits("/cluster/status"));
        assertEquals(1, pve.hits("/nodes/pve2/tasks"));
        assertEquals(2, pbs.hits("/nodes/localhost/tasks"), "once for the node name, once for the backup tasks");
        List<String> notes = r.input.notes;
        assertEquals(4, notes.size(), notes.toString());
        assertTrue(notes.get(0).startsWith("PBS node name unknown"), notes.toString());
        assertTrue(notes.get(1).startsWith("PBS task list unavailable, failed backup jobs on PBS are not shown: "), notes.toString());
        assertTrue(notes.get(2).startsWith("PVE cluster name unavailable ("), notes.toString());
        assertTrue(notes.get(3).startsWith("PVE tasks of node pve2 unavailable"), notes.toString());
        // the audit went on: the same backups, the failed jobs just not known
        assertEquals(9, r.backups.size());
        assertTrue(r.allIncomplete().isEmpty());
        assertNull(r.guests.get("vm/103").lastTask);
        // a transient status is retried
        pve.fault("/nodes/pve1/tasks", Fault.status(503, "busy").times(1));
        importer(c).audit();
        assertEquals(2 + 1, pve.hits("/nodes/pve1/tasks"), "first audit once, second audit twice (503 then OK)");
    }
}
