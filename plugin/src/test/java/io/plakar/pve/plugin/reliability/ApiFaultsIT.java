package io.plakar.pve.plugin.reliability;

import io.grpc.StatusRuntimeException;
import io.plakar.pve.testkit.host.BackupOptions;
import io.plakar.pve.testkit.host.Snapshot;
import io.plakar.pve.testkit.pbs.FakePbs;
import io.plakar.pve.testkit.pbs.FakePve;
import io.plakar.pve.testkit.pbs.Fault;
import io.plakar.pve.testkit.pbs.Snap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packaged pbsAuditImporter against the fake PBS and PVE APIs answering 500, timing out,
 * closing the connection early and sending malformed JSON on every attempt: the audit says
 * what it could not read (summary incomplete, with the reason), every other datastore is
 * recorded in full, and a dead server is a clear connector error.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ApiFaultsIT {
    static final String PBS_TOKEN = "audit@pbs!rel";
    static final String PBS_SECRET = "pbs-secret-7f3a9c1e-0b2d-4e5f-8a9b-c0d1e2f3a4b5";
    static final String PVE_TOKEN = "audit@pve!rel";
    static final String PVE_SECRET = "pve-secret-1a2b3c4d-5e6f-4a8b-9c0d-e1f2a3b4c5d6";
    static final long BASE = 1714557600L;

    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
        open.clear();
    }

    @AfterAll
    void leaks() {
        Capture.assertNoLeaks();
    }

    FakePbs pbs() {
        Capture.secret(PBS_SECRET);
        FakePbs pbs = new FakePbs(PBS_TOKEN, PBS_SECRET);
        pbs.store("store1").add("", Snap.vm("100", BASE, 1000).name("web01")).add("", Snap.ct("101", BASE + 60, 500));
        pbs.store("store2").add("", Snap.vm("200", BASE, 2000).name("db01")).add("", Snap.ct("201", BASE + 120, 700));
        pbs.start();
        open.add(pbs);
        return pbs;
    }

    FakePve pve(FakePbs pbs) {
        Capture.secret(PVE_SECRET);
        FakePve pve = new FakePve(PVE_TOKEN, PVE_SECRET);
        pve.cluster("lab").node("pve1");
        pve.start();
        open.add(pve);
        return pve;
    }

    static Map<String, String> config(FakePbs pbs, FakePve pve) {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("location", "pbs+audit://127.0.0.1:" + pbs.port());
        c.put("token_id", PBS_TOKEN);
        c.put("token_secret", PBS_SECRET);
        c.put("fingerprint", pbs.fingerprint());
        c.put("timeout", "1s");
        c.put("read_logs", "none");
        if (pve != null) {
            c.put("pve_url", pve.url());
            c.put("pve_token_id", PVE_TOKEN);
            c.put("pve_token_secret", PVE_SECRET);
            c.put("pve_fingerprint", pve.fingerprint());
        }
        return c;
    }

    static Fault fault(String kind) {
        return switch (kind) {
            case "500" -> Fault.status(500, "internal server error");
            case "timeout" -> Fault.delay(1500);
            case "close-early" -> Fault.closeEarly();
            default -> Fault.malformedJson();
        };
    }

    Snapshot audit(Map<String, String> config, Path store, String label) {
        try (Rel.Plugin p = new Rel.Plugin(Rel.auditExe(), Map.of(), "pbs-audit " + label)) {
            var c = p.process.importer();
            c.init("pbs+audit", config);
            Snapshot s = c.backup(BackupOptions.defaults().storeContent(store));
            Capture.snapshot(p.label, s);
            assertTrue(Procs.descendants(p.pid()).isEmpty());
            p.finish();
            return s;
        }
    }

    static String content(Snapshot s, String path) throws Exception {
        return Files.readString(s.get(path).contentFile(), StandardCharsets.UTF_8);
    }

    /** One audit per fault kind: PBS datastore store1 and the PVE API fail at once, on every attempt. */
    @ParameterizedTest
    @ValueSource(strings = {"500", "timeout", "close-early", "malformed-json"})
    void datastoreAndPveFaultsLeaveTheRestComplete(String kind, @TempDir Path store) throws Exception {
        FakePbs pbs = pbs();
        FakePve pve = pve(pbs);
        pbs.fault("/admin/datastore/store1/snapshots", fault(kind));
        pve.fault("/nodes", fault(kind));
        Snapshot s = audit(config(pbs, pve), store, "api " + kind);
        String summary = content(s, "/report/summary.json");
        String flat = summary.replace(" ", "");
        long store2 = s.entries().stream().filter(e -> e.path().startsWith("/datastores/store2/ns/") && e.ok()).count();
        long store1 = s.entries().stream().filter(e -> e.path().startsWith("/datastores/store1/ns/")).count();
        boolean flagged = flat.contains("\"complete\":false") && summary.contains("store1") && summary.contains("\"pve\"");
        FiguresReport.fault("PBS API", "datastore snapshot list answers " + kind + " on every attempt", "pbs+audit", 1,
                flagged ? "summary incomplete, reason names store1; other datastore complete" : "NOT flagged incomplete!",
                2 - store2);
        FiguresReport.fault("PVE API", "/nodes answers " + kind + " on every attempt", "pbs+audit", 1,
                flagged ? "summary incomplete (pve); every PBS snapshot still recorded" : "NOT flagged incomplete!", 0);
        assertEquals("", s.importError(), s.toString());
        assertTrue(s.entries().stream().allMatch(Snapshot.Entry::ok), s.toString());
        assertEquals(2, store2, "store2 must be recorded in full: " + s.paths());
        assertEquals(0, store1, "nothing invented for the unreadable datastore: " + s.paths());
        assertTrue(flagged, summary);
        assertTrue(pbs.hits("/admin/datastore/store1/snapshots") >= 2, "a 5xx/IO failure is retried");
    }

    @Test
    void deadServerIsAClearConnectorError(@TempDir Path store) {
        FakePbs pbs = pbs();
        pbs.fault("/version", Fault.status(500, "internal server error"));
        pbs.fault("/admin/datastore", Fault.status(503, "service unavailable"));
        String ping;
        Snapshot s;
        try (Rel.Plugin p = new Rel.Plugin(Rel.auditExe(), Map.of(), "pbs-audit dead")) {
            var c = p.process.importer();
            c.init("pbs+audit", config(pbs, null));
            ping = assertThrows(StatusRuntimeException.class, c::ping).getStatus().getDescription();
            Capture.text(p.label + " ping", ping);
            s = c.backup(BackupOptions.defaults().storeContent(store));
            Capture.snapshot(p.label, s);
            p.finish();
        }
        boolean clear = ping != null && ping.startsWith("pbs+audit:") && ping.contains("500");
        String summary = "";
        try {
            summary = content(s, "/report/summary.json");
        } catch (Exception e) {
            // no summary: the Import itself must have failed
        }
        boolean flagged = !s.importError().isEmpty() || summary.replace(" ", "").contains("\"complete\":false");
        FiguresReport.fault("PBS API", "server answers 500/503 everywhere", "pbs+audit", 2,
                clear && flagged ? "ping: clear connector error; audit marked incomplete" : "unclear!", 0);
        assertTrue(clear, "ping error: " + ping);
        assertTrue(flagged, "a dead server must not look like an empty, complete PBS: " + s + " " + summary);
        assertFalse(s.entries().stream().anyMatch(e -> e.path().startsWith("/datastores/store1/ns/")));
    }
}
