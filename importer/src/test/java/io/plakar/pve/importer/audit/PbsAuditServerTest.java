package io.plakar.pve.importer.audit;

import com.fasterxml.jackson.databind.JsonNode;
import io.plakar.pve.sdk.ConnectorException;
import io.plakar.pve.sdk.Record;
import io.plakar.pve.sdk.RecordSink;
import io.plakar.pve.testkit.pbs.FakePbs;
import io.plakar.pve.testkit.pbs.FakePve;
import io.plakar.pve.testkit.pbs.Fault;
import io.plakar.pve.testkit.pbs.Snap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.FileNotFoundException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.plakar.pve.importer.audit.AuditScenario.BASE;
import static io.plakar.pve.importer.audit.AuditScenario.PBS_SECRET;
import static io.plakar.pve.importer.audit.AuditScenario.PBS_TOKEN;
import static io.plakar.pve.importer.audit.AuditScenario.PVE_SECRET;
import static io.plakar.pve.importer.audit.AuditScenario.PVE_TOKEN;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The importer against the fake PBS/PVE over real HTTPS (self-signed, pinned). */
class PbsAuditServerTest {
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    private FakePbs pbs() {
        FakePbs pbs = new FakePbs(PBS_TOKEN, PBS_SECRET);
        open.add(pbs);
        return pbs;
    }

    private FakePve pve() {
        FakePve pve = new FakePve(PVE_TOKEN, PVE_SECRET);
        open.add(pve);
        return pve;
    }

    private Map<String, String> config(FakePbs pbs) {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("location", "pbs+audit://127.0.0.1:" + pbs.port());
        c.put("token_id", PBS_TOKEN);
        c.put("token_secret", PBS_SECRET);
        c.put("fingerprint", pbs.fingerprint().toUpperCase());
        return c;
    }

    private void withPve(Map<String, String> c, FakePve pve) {
        c.put("pve_url", pve.url());
        c.put("pve_token_id", PVE_TOKEN);
        c.put("pve_token_secret", PVE_SECRET);
        c.put("pve_fingerprint", pve.fingerprint());
    }

    private PbsAuditImporter importer(Map<String, String> c) throws ConnectorException {
        PbsAuditImporter imp = new PbsAuditImporter(PbsAuditConfig.parse(c),
                Clock.fixed(Instant.ofEpochSecond(BASE + 86400), ZoneOffset.UTC));
        open.add(imp);
        return imp;
    }

    /** Scans and opens every record; checks each record's size against the bytes served. */
    static Map<String, byte[]> scan(PbsAuditImporter imp) throws Exception {
        List<Record> records = new ArrayList<>();
        imp.scan(new RecordSink() {
            @Override
            public void emit(Record record) {
                records.add(record);
            }

            @Override
            public boolean cancelled() {
                return false;
            }
        });
        Map<String, byte[]> out = new LinkedHashMap<>();
        for (Record r : records) {
            assertFalse(r.hasError(), r.pathname() + ": " + r.error());
            try (InputStream in = imp.open(r.pathname())) {
                byte[] b = in.readAllBytes();
                assertEquals(r.fileInfo().size(), b.length, r.pathname());
                out.put(r.pathname(), b);
            }
        }
        return out;
    }

    @Test
    void pbsSeenDirectlyAndThroughPveWithSharedNfsAndCollisions() throws Exception {
        FakePbs pbs = pbs();
        AuditScenario.pbs(pbs);
        pbs.start();
        FakePve pve = pve().stringNumbers(true);
        AuditScenario.pve(pve, pbs, "127.0.0.1", pbs.port());
        pve.start();
        Map<String, String> c = config(pbs);
        withPve(c, pve);
        PbsAuditImporter imp = importer(c);
        imp.ping();
        AuditModel.Result r = imp.audit();
        AuditModelTest.assertScenario(r);

        Map<String, byte[]> files = scan(imp);
        assertEquals(1 + 9 + 6, files.size(), files.keySet().toString());
        assertTrue(files.containsKey("/datastores/store1/status.json"));
        assertTrue(files.containsKey("/datastores/store1/ns/@root/host/pbs1/2024-05-01T07:13:20Z.json"), files.keySet().toString());
        assertTrue(files.containsKey("/datastores/store1/ns/pve-lab/vm/100/2024-05-01T11:00:00Z.json"));
        JsonNode status = AuditModelTest.json(files.get("/datastores/store1/status.json"));
        assertEquals(3.537, status.get("dedup_factor").asDouble());
        assertEquals(4, status.at("/counts/vm/snapshots").asLong());
        assertEquals(2, status.at("/counts/vm/groups").asLong());
        assertTrue(status.at("/counts/other").isNull());
        JsonNode summary = AuditModelTest.json(files.get("/report/summary.json"));
        assertEquals("pbs1", summary.at("/source/pbs_node").asText(), "node name from the tasks endpoint");
        assertEquals("3.2-4", summary.at("/source/pbs_version").asText());
        assertEquals("lab", summary.at("/source/pve_cluster").asText());
        assertTrue(summary.get("complete").asBoolean(), summary.toString());
        String report = new String(files.get("/report/report.txt"), StandardCharsets.UTF_8);
        assertTrue(report.contains("\nPBS audit of 127.0.0.1:" + pbs.port() + " (node pbs1, PBS 3.2-4)"), report);
        // same bytes on a second open
        assertArrayEquals(files.get("/report/guests.json"), imp.open("/report/guests.json").readAllBytes());
        assertThrows(FileNotFoundException.class, () -> imp.open("/datastores/store1/ns/@root/vm/999/2024-05-01T07:13:20Z.json"));
        // client logs read for the root namespace only (default read_logs=root): 4 vm/ct snapshots
        // there, read once by audit() and once by scan()
        assertEquals(8, pbs.hits("/admin/datastore/store1/download-decoded"));
    }

    @Test
    void pbsWithoutNamespaceSupportIsRootOnlyAndNoted() throws Exception {
        FakePbs pbs = pbs().namespaceSupport(false).version("2.1", "5");
        pbs.store("old").add("", Snap.vm("100", BASE, 100).name("a")).add("", Snap.vm("100", BASE + 60, 100).name("b"));
        pbs.start();
        AuditModel.Result r = importer(config(pbs)).audit();
        assertEquals(2, r.rawPbs);
        assertEquals(1, r.collisions("critical"));
        JsonNode s = AuditModelTest.json(AuditJson.summary(r));
        assertFalse(s.at("/datastores/0/namespace_support").asBoolean());
        assertEquals("datastore old: no namespace support (PBS older than 2.2): root namespace only", s.at("/notes/0").asText());
        assertTrue(s.get("complete").asBoolean());

        Map<String, String> c = config(pbs);
        c.put("namespace", "pve-lab");
        AuditModel.Result r2 = importer(c).audit();
        JsonNode s2 = AuditModelTest.json(AuditJson.summary(r2));
        assertFalse(s2.get("complete").asBoolean());
        assertTrue(s2.at("/incomplete/0/reason").asText().contains("no namespace support"), s2.toString());
    }

    @Test
    void forbiddenDatastoreIsIncompleteAndTheRestIsRecorded() throws Exception {
        FakePbs pbs = pbs();
        AuditScenario.pbs(pbs);
        pbs.store("secret-store").forbidden = true;
        pbs.store("store1").forbidNamespace("pve-prod");
        pbs.start();
        AuditModel.Result r = importer(config(pbs)).audit();
        assertEquals(8, r.rawPbs, "pve-prod's one snapshot is missing");
        JsonNode s = AuditModelTest.json(AuditJson.summary(r));
        assertFalse(s.get("complete").asBoolean());
        String incomplete = s.get("incomplete").toString();
        assertTrue(incomplete.contains("the token needs Datastore.Audit on /datastore/secret-store"), incomplete);
        assertTrue(incomplete.contains("the token needs Datastore.Audit on /datastore/store1/pve-prod"), incomplete);
        // secret-store: status and namespace list; store1: the pve-prod namespace
        assertEquals(3, s.get("incomplete").size(), incomplete);
    }

    @Test
    void wrongFingerprintIsRefused() throws Exception {
        FakePbs pbs = pbs();
        pbs.start();
        Map<String, String> c = config(pbs);
        c.put("fingerprint", "00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff:00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff");
        ConnectorException e = assertThrows(ConnectorException.class, () -> importer(c).ping());
        assertTrue(e.getMessage().contains("TLS certificate refused: the server presented fingerprint " + pbs.fingerprint()),
                e.getMessage());
        assertEquals(0, pbs.requestCount());
        Map<String, String> c2 = config(pbs);
        c2.remove("fingerprint");
        ConnectorException e2 = assertThrows(ConnectorException.class, () -> importer(c2).ping());
        assertTrue(e2.getMessage().contains("not trusted by the system trust store"), e2.getMessage());
    }

    @Test
    void wrongTokenIsAnAuthenticationError() throws Exception {
        FakePbs pbs = pbs();
        pbs.start();
        Map<String, String> c = config(pbs);
        c.put("token_secret", "wrong");
        ConnectorException e = assertThrows(ConnectorException.class, () -> importer(c).ping());
        assertTrue(e.getMessage().startsWith("pbs+audit: authentication failed: check token_id/token_secret"), e.getMessage());
        assertFalse(e.getMessage().contains("wrong"));
        assertEquals(1, pbs.requestCount(), "401 is not retried");
    }

    @Test
    void serverErrorsTimeoutsResetsAndMalformedJsonAreRetried() throws Exception {
        FakePbs pbs = pbs();
        AuditScenario.pbs(pbs);
        pbs.start();
        pbs.fault("/admin/datastore/store1/snapshots", Fault.status(500, "temporary failure").times(2));
        pbs.fault("/admin/datastore/store1/status", Fault.delay(3000).times(1));
        pbs.fault("/admin/datastore/store1/namespace", Fault.closeEarly().times(1));
        pbs.fault("/admin/datastore", Fault.malformedJson().times(1));
        Map<String, String> c = config(pbs);
        c.put("timeout", "1s");
        c.put("read_logs", "none");
        AuditModel.Result r = importer(c).audit();
        assertEquals(9, r.rawPbs);
        assertTrue(AuditModelTest.json(AuditJson.summary(r)).get("complete").asBoolean());
        assertEquals(2, pbs.hits("/admin/datastore/store1/status"));
        assertEquals(2, pbs.hits("/admin/datastore/store1/namespace"));
        assertEquals(2, pbs.hits("/admin/datastore"));
        // 3 namespaces listed + the 2 failed attempts
        assertEquals(5, pbs.hits("/admin/datastore/store1/snapshots"));
    }

    @Test
    void persistentFailuresAndClientErrorsEndAsIncomplete() throws Exception {
        FakePbs pbs = pbs();
        AuditScenario.pbs(pbs);
        pbs.start();
        pbs.fault("/admin/datastore/store1/status", Fault.status(400, "datastore 'store1' is in offline maintenance mode: disk"));
        pbs.fault("/admin/datastore/store1/snapshots", Fault.malformedJson());
        Map<String, String> c = config(pbs);
        c.put("read_logs", "none");
        AuditModel.Result r = importer(c).audit();
        assertEquals(0, r.rawPbs);
        assertEquals(1, pbs.hits("/admin/datastore/store1/status"), "4xx is not retried");
        assertEquals(12, pbs.hits("/admin/datastore/store1/snapshots"), "3 namespaces x 4 attempts");
        JsonNode s = AuditModelTest.json(AuditJson.summary(r));
        assertEquals(4, s.get("incomplete").size());
        assertTrue(s.at("/incomplete/0/reason").asText().contains("offline maintenance mode"), s.toString());
        assertTrue(s.at("/incomplete/1/reason").asText().contains("malformed JSON"), s.toString());
    }

    @Test
    void nodeNameFromNodesWhenAllowedAndPveErrorsDoNotStopTheAudit() throws Exception {
        FakePbs pbs = pbs().nodesForbidden(false).nodeName("backup-1");
        pbs.store("store1").add("", Snap.ct("300", BASE, 10).node("pve1"));
        pbs.start();
        FakePve pve = pve();
        pve.node("pve1");
        pve.start();
        Map<String, String> c = config(pbs);
        withPve(c, pve);
        c.put("pve_token_secret", "bad");
        PbsAuditImporter imp = importer(c);
        assertThrows(ConnectorException.class, imp::ping);
        AuditModel.Result r = imp.audit();
        assertEquals("backup-1", r.input.pbsNode);
        assertEquals(1, r.rawPbs);
        assertTrue(r.input.pve.incomplete.get(0).reason().contains("authentication failed: check pve_token_id/pve_token_secret"),
                r.input.pve.incomplete.toString());
        Map<String, byte[]> files = scan(imp);
        assertTrue(files.containsKey("/datastores/store1/ns/@root/ct/300/2024-05-01T10:00:00Z.json"));
        JsonNode rec = AuditModelTest.json(files.get("/datastores/store1/ns/@root/ct/300/2024-05-01T10:00:00Z.json"));
        assertEquals("pve1", rec.get("node").asText());
    }

    @Test
    void configIsValidatedUpFront() {
        Map<String, String> c = new HashMap<>();
        c.put("location", "pbs+audit://pbs.example.com");
        c.put("token_id", "no-realm");
        c.put("token_secret", "s3cr3t-value");
        c.put("fingerprint", "zz");
        c.put("max_depth", "9");
        c.put("pve_token_id", "a@b!c");
        c.put("bogus", "1");
        ConnectorException e = assertThrows(ConnectorException.class, () -> PbsAuditConfig.parse(c));
        String m = e.getMessage();
        assertTrue(m.contains("token_id: must be an API token id"), m);
        assertTrue(m.contains("fingerprint: must be a SHA-256 fingerprint"), m);
        assertTrue(m.contains("max_depth: must be between 0 and 7"), m);
        assertTrue(m.contains("pve_token_id: needs pve_url"), m);
        assertTrue(m.contains("unknown option \"bogus\" (valid options: "), m);
        assertFalse(m.contains("s3cr3t-value"), m);
        Map<String, String> ok = new HashMap<>(Map.of("location", "pbs.example.com", "token_id", "a@pbs!t",
                "token_secret", "x"));
        assertEquals(8007, assertDoesNotThrowParse(ok).port());
        ok.put("location", "pbs+audit://[fd00::1]:9007");
        assertEquals("fd00::1", assertDoesNotThrowParse(ok).host());
        assertEquals(9007, assertDoesNotThrowParse(ok).port());
    }

    private static PbsAuditConfig assertDoesNotThrowParse(Map<String, String> c) {
        try {
            return PbsAuditConfig.parse(c);
        } catch (ConnectorException e) {
            throw new AssertionError(e.getMessage());
        }
    }
}
