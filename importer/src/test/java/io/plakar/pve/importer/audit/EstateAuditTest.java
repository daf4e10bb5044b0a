package io.plakar.pve.importer.audit;

import com.fasterxml.jackson.databind.JsonNode;
import io.plakar.pve.importer.audit.api.PveTypes;
import io.plakar.pve.testkit.pbs.FakePbs;
import io.plakar.pve.testkit.pbs.FakePve;
import io.plakar.pve.testkit.pbs.Fault;
import io.plakar.pve.testkit.pbs.SelfSignedCert;
import io.plakar.pve.testkit.pbs.Snap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.plakar.pve.importer.audit.AuditModelTest.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A hand-computed estate, over real HTTPS. Audit time T = 2024-05-02T10:00:00Z, max_age 26 h.
 *
 * <pre>
 * PBS "main" (audited as 127.0.0.1:&lt;port&gt;, certificate pinned)
 *   @root  vm/100 T-100000 (verified ok), T-7200 (ok), T-600 in progress     sizes 11112, 11112, -
 *          vm/101 T-200000 (verification failed)                            21112
 *          ct/250 T-1000 (guest gone from PVE)                              15063
 *          host/pbs1 T-5000                                                 1180
 *   old    vm/101 T-300000 (ok)                        → warning collision  31112
 *   tasks  backup main:vm/100 T-7200 OK; backup main:vm/101 T-3000 "backup failed: connection error"
 * PVE cluster "prod": pve1, pve2
 *   pbs-nat  (pbs, both nodes) server pbs-nat.example.net:18007, fingerprint = main's certificate,
 *            datastore main, root: lists the 5 vm/ct rows of @root          → merged by fingerprint
 *   offsite  (pbs, both nodes) pbs2.example.com:8007, another certificate: ct/102 T-3600 verified ok
 *   nas      (nfs, both nodes) vzdump-qemu-100 T-50000
 *   guests   qemu 100 web, 101 db (pve1); lxc 102 dns, qemu 103 new (pve2);
 *            qemu 9000 template; qemu 104 tagged nobackup; qemu 105 (exclude=105)
 *   tasks    pve2: vzdump 102 T-3600 OK; vzdump 103 T-4000 "job errors"; pve1: a multi-guest job
 * </pre>
 * Expected: raw 7 PBS + 14 PVE = 21 rows, 9 distinct (7 PBS, 1 PBS via PVE, 1 PVE), 12 removed,
 * 7 merged entries; coverage ok 3 (ct/102, host/pbs1, vm/100), stale 1 (vm/101), never 1 (vm/103),
 * excluded 3, orphaned 1 (ct/250); problems 2 critical, 6 warning, 2 info.
 */
class EstateAuditTest {
    static final long T = 1714644000L; // 2024-05-02T10:00:00Z
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    FakePbs pbs;
    FakePve pve;

    Map<String, String> estate() {
        pbs = new FakePbs(AuditScenario.PBS_TOKEN, AuditScenario.PBS_SECRET);
        open.add(pbs);
        String ok = "UPID:pbs1:00000A4C:0001F2B3:00000012:663301B0:verificationjob:main\\x3av-1:root@pam:";
        pbs.store("main")
                .add("", Snap.vm("100", T - 100000, 10000).name("web").verified("ok", ok))
                .add("", Snap.vm("100", T - 7200, 10000).name("web").verified("ok", ok))
                .add("", Snap.vm("100", T - 600, 10000).inProgress())
                .add("", Snap.vm("101", T - 200000, 20000).name("db").verified("failed", ok))
                .add("", Snap.ct("250", T - 1000, 5000).node("pve9").name("gone"))
                .add("", Snap.host("pbs1", T - 5000, 700))
                .add("old", Snap.vm("101", T - 300000, 30000).verified("ok", ok));
        pbs.backupTask("main", "vm", "100", T - 7200, T - 7100, "OK");
        pbs.backupTask("main", "vm", "101", T - 3000, T - 2990, "backup failed: connection error");
        pbs.start();

        pve = new FakePve(AuditScenario.PVE_TOKEN, AuditScenario.PVE_SECRET).cluster("prod");
        open.add(pve);
        pve.node("pve1").node("pve2");
        pve.pinnedPbsStorage("pbs-nat", "pbs-nat.example.net", 18007, "main", "", pbs.fingerprint(), "pve1", "pve2");
        pve.content("pbs-nat", pbs.pveContent("pbs-nat", "main", ""));
        String otherPbs = SelfSignedCert.generate("pbs2.example.com").fingerprint();
        pve.pinnedPbsStorage("offsite", "pbs2.example.com", 8007, "backup", "", otherPbs, "pve1", "pve2");
        Map<String, Object> ct102 = new LinkedHashMap<>();
        ct102.put("volid", "offsite:backup/ct/102/" + Instant.ofEpochSecond(T - 3600));
        ct102.put("content", "backup");
        ct102.put("format", "pbs-ct");
        ct102.put("subtype", "lxc");
        ct102.put("vmid", 102);
        ct102.put("ctime", T - 3600);
        ct102.put("size", 123456);
        ct102.put("verification", Map.of("state", "ok", "upid", ok));
        pve.content("offsite", List.of(ct102));
        pve.storage("nas", "nfs", true, "pve1", "pve2");
        pve.content("nas", List.of(FakePve.vzdump("nas", "vzdump-qemu-100-2024_05_01-20_06_40.vma.zst", 100, T - 50000, 9000)));
        pve.guest(100, "qemu", "pve1", "web").guest(101, "qemu", "pve1", "db").guest(102, "lxc", "pve2", "dns")
                .guest(103, "qemu", "pve2", "new").guest(9000, "qemu", "pve1", "tmpl", true, null)
                .guest(104, "qemu", "pve1", "scratch", false, "lab;nobackup").guest(105, "qemu", "pve2", "legacy");
        pve.vzdumpTask("pve2", 102L, T - 3600, T - 3500, "OK");
        pve.vzdumpTask("pve2", 103L, T - 4000, T - 3990, "job errors");
        pve.vzdumpTask("pve1", null, T - 8000, T - 7000, "OK");
        pve.start();

        Map<String, String> c = new LinkedHashMap<>();
        c.put("location", "pbs+audit://127.0.0.1:" + pbs.port());
        c.put("token_id", AuditScenario.PBS_TOKEN);
        c.put("token_secret", AuditScenario.PBS_SECRET);
        c.put("fingerprint", pbs.fingerprint());
        c.put("pve_url", pve.url());
        c.put("pve_token_id", AuditScenario.PVE_TOKEN);
        c.put("pve_token_secret", AuditScenario.PVE_SECRET);
        c.put("pve_fingerprint", pve.fingerprint());
        c.put("exclude", "105");
        c.put("exclude_tag", "nobackup");
        c.put("read_logs", "none");
        return c;
    }

    PbsAuditImporter importer(Map<String, String> c) throws Exception {
        PbsAuditImporter imp = new PbsAuditImporter(PbsAuditConfig.parse(c), Clock.fixed(Instant.ofEpochSecond(T), ZoneOffset.UTC));
        open.add(imp);
        return imp;
    }

    static String iso(long t) {
        return Instant.ofEpochSecond(t).toString();
    }

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
