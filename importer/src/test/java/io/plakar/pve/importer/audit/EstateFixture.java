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
abstract class EstateFixture {
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
}
