package io.plakar.pve.importer.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static io.plakar.pve.importer.audit.AuditScenario.BASE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AuditModelTest {
    private static final ObjectMapper M = new ObjectMapper();

    static JsonNode json(byte[] b) throws Exception {
        return M.readTree(b);
    }

    /** Shared by the in-process server test: the exact numbers of {@link AuditScenario}. */
    static void assertScenario(AuditModel.Result r) throws Exception {
        assertEquals(9, r.rawPbs);
        assertEquals(15, r.rawPve);
        assertEquals(13, r.backups.size());
        assertEquals(9, r.count(AuditModel.Label.PBS));
        assertEquals(1, r.count(AuditModel.Label.PBS_VIA_PVE));
        assertEquals(3, r.count(AuditModel.Label.PVE));
        assertEquals(6, r.merged.size());

        JsonNode dup = json(AuditJson.duplicates(r));
        assertEquals(24, dup.at("/raw/total").asLong());
        assertEquals(13, dup.at("/deduplicated/total").asLong());
        assertEquals(11, dup.get("removed").asLong());
        assertEquals(4, dup.at("/raw/by_source/pve:lab~1pve1~1pbs-store").asLong());
        assertEquals(2, dup.at("/raw/by_source/pve:lab~1pve3~1nas").asLong());
        assertEquals(6, dup.get("merged").size());

        // collisions: critical first, then by type and id
        assertEquals(2, r.collisions("critical"));
        assertEquals(1, r.collisions("warning"));
        AuditModel.Collision c0 = r.collisions.get(0);
        assertEquals("ct/200/critical", c0.type() + "/" + c0.id() + "/" + c0.severity());
        assertEquals(List.of("root namespace store1:@root written from different nodes: pve1 (cluster lab), pve2 (cluster lab)"),
                c0.reasons());
        AuditModel.Collision c1 = r.collisions.get(1);
        assertEquals("vm/100/critical", c1.type() + "/" + c1.id() + "/" + c1.severity());
        assertEquals(List.of("root namespace store1:@root holds different guests: db01, web01",
                "in different namespaces: store1:@root, store1:pve-lab"), c1.reasons());
        AuditModel.Collision c2 = r.collisions.get(2);
        assertEquals("ct/101/warning", c2.type() + "/" + c2.id() + "/" + c2.severity());
        assertEquals(2, c2.locations().size());

        JsonNode sum = json(AuditJson.summary(r));
        assertEquals(9, sum.at("/totals/snapshots").asLong());
        assertEquals(1, sum.at("/totals/snapshots_in_progress").asLong());
        assertEquals(60868, sum.at("/totals/size_bytes").asLong());
        assertEquals(2, sum.at("/totals/unique_vms").asLong());
        assertEquals(2, sum.at("/totals/unique_cts").asLong());
        assertEquals(1, sum.at("/totals/unique_hosts").asLong());
        assertEquals(13, sum.at("/totals/distinct_backups").asLong());
        JsonNode nss = sum.at("/datastores/0/namespaces");
        assertEquals(3, nss.size());
        assertEquals("@root", nss.get(0).get("path").asText());
        assertEquals(5, nss.get(0).get("snapshots").asLong());
        assertEquals(29530, nss.get(0).get("size_bytes").asLong());
        assertEquals(18175, nss.get(1).get("size_bytes").asLong());
        assertEquals(1, nss.get(1).get("in_progress").asLong());
        assertEquals(13163, nss.get(2).get("size_bytes").asLong());

        JsonNode guests = json(AuditJson.guests(r)).get("guests");
        // host groups are listed with the guests
        assertEquals(6, guests.size());
        assertEquals("ct/101 ct/200 host/pbs1 vm/100 vm/102 vm/105", ids(guests));
        JsonNode host = guests.get(2);
        assertEquals(BASE - 10000, host.at("/latest_backup/epoch").asLong());
        assertEquals(1, host.get("backups").asLong());
        JsonNode vm100 = guests.get(3);
        assertEquals(5, vm100.get("backups").asLong());
        assertEquals(1, vm100.get("in_progress").asLong());
        assertEquals(BASE + 4000, vm100.at("/latest/epoch").asLong());
        assertEquals(BASE, vm100.at("/latest_by_source/pbs/epoch").asLong(), "in progress never counts as latest");
        assertEquals(BASE + 2400, vm100.at("/latest_by_source/pve/epoch").asLong());
        assertEquals(BASE + 4000, vm100.at("/latest_by_source/snapshots/epoch").asLong());
        assertEquals("2024-05-01T10:00:00Z", vm100.at("/latest_by_source/pbs/iso").asText());
        assertEquals("critical", vm100.get("collision").asText());
        JsonNode dates = vm100.get("backup_dates");
        assertEquals(1, dates.size());
        assertEquals("2024-05-01", dates.get(0).get("date").asText());
        assertEquals(7, dates.get(0).get("count").asLong());
        assertEquals("[\"2024-05-01T08:00:00Z\",\"2024-05-01T08:30:00Z\",\"2024-05-01T10:00:00Z\",\"2024-05-01T11:00:00Z\"]",
                dates.get(0).at("/timestamps/pbs").toString());
        assertEquals("[\"2024-05-01T10:30:00Z\",\"2024-05-01T10:40:00Z\"]", dates.get(0).at("/timestamps/pve").toString());
        JsonNode ct101 = guests.get(0);
        assertEquals(BASE + 900, ct101.at("/latest/epoch").asLong());
        assertEquals(BASE + 600, ct101.at("/latest_by_source/pbs/epoch").asLong());
        assertEquals(BASE - 100000, ct101.at("/latest_by_source/snapshots/epoch").asLong());
        JsonNode ct200 = guests.get(1);
        assertEquals("pve2", ct200.get("node").asText());
        assertEquals(BASE - 3600, ct200.at("/latest/epoch").asLong());
        JsonNode vm102 = guests.get(4);
        assertEquals("[\"PBS via PVE\"]", vm102.get("labels").toString());
        assertEquals(BASE + 5400, vm102.at("/latest_by_source/pbs/epoch").asLong());
        JsonNode vm105 = guests.get(5);
        assertEquals(0, vm105.get("backups").asLong());
        assertTrue(vm105.get("latest").isNull());
    }

    static String ids(JsonNode guests) {
        StringBuilder sb = new StringBuilder();
        for (JsonNode g : guests) {
            sb.append(sb.isEmpty() ? "" : " ").append(g.get("type").asText()).append('/').append(g.get("id").asText());
        }
        return sb.toString();
    }

    @Test
    void scenarioNumbers() throws Exception {
        assertScenario(AuditModel.build(AuditScenario.input(true)));
    }

    @Test
    void withoutPveNothingIsMergedAndVmidsComeFromPbsOnly() throws Exception {
        AuditModel.Result r = AuditModel.build(AuditScenario.input(false));
        assertEquals(9, r.backups.size());
        assertEquals(0, r.merged.size());
        assertEquals(2, r.collisions("critical"));
        assertEquals(1, r.collisions("warning"));
        // without the PVE node list the reason names the nodes only
        assertEquals("root namespace store1:@root written from different nodes: pve1, pve2", r.collisions.get(0).reasons().get(0));
        JsonNode guests = json(AuditJson.guests(r)).get("guests");
        assertEquals("ct/101 ct/200 host/pbs1 vm/100", ids(guests));
        assertTrue(guests.get(3).at("/latest_by_source/pve").isNull());
    }

    @Test
    void perSnapshotRecordPathAndContent() throws Exception {
        AuditModel.Result r = AuditModel.build(AuditScenario.input(true));
        AuditModel.Backup root = r.backups.stream().filter(b -> b.type.equals("ct") && b.id.equals("200")
                && b.time == BASE - 3600).findFirst().orElseThrow();
        assertEquals("/datastores/store1/ns/@root/ct/200/2024-05-01T09:00:00Z.json", AuditJson.snapshotPath(root));
        JsonNode j = json(AuditJson.snapshot(root));
        assertEquals("pve2", j.get("node").asText());
        assertEquals("client-log", j.get("node_source").asText());
        assertEquals(11163, j.get("size").asLong());
        assertEquals("none", j.at("/encryption/mode").asText());
        assertTrue(j.at("/files/4/size").isNull(), "client.log.blob has no size");

        AuditModel.Backup merged = r.backups.stream().filter(b -> b.type.equals("vm") && b.id.equals("100")
                && b.time == BASE).findFirst().orElseThrow();
        assertEquals("/datastores/store1/ns/pve-lab/vm/100/2024-05-01T10:00:00Z.json", AuditJson.snapshotPath(merged));
        JsonNode m = json(AuditJson.snapshot(merged));
        assertEquals("PBS", m.get("label").asText());
        assertEquals("[\"pbs:store1/pve-lab\",\"pve:lab/pve1/pbs-store\",\"pve:lab/pve2/pbs-store\"]",
                m.get("seen_through").toString());
        assertEquals("ok", m.at("/verification/state").asText());
        AuditModel.Backup inProgress = r.backups.stream().filter(b -> b.inProgress && b.label == AuditModel.Label.PBS)
                .findFirst().orElseThrow();
        JsonNode ip = json(AuditJson.snapshot(inProgress));
        assertTrue(ip.get("in_progress").asBoolean());
        assertTrue(ip.get("size").isNull());
        // deterministic: rendering twice gives the same bytes (size known at scan == bytes served)
        assertEquals(new String(AuditJson.snapshot(merged), StandardCharsets.UTF_8),
                new String(AuditJson.snapshot(merged), StandardCharsets.UTF_8));
        String text = new String(AuditReportText.render(r), StandardCharsets.UTF_8);
        assertTrue(text.indexOf("Collisions: 2 critical, 1 warning") < text.indexOf("Datastores"), text);
        assertTrue(text.contains("  @root: 5 snapshots, 28.84 KiB; 1 VM, 1 CT, 1 host"), text);
        assertTrue(text.contains("  pve-lab: 3 snapshots (1 in progress)"), text);
        assertFalse(text.contains("\u001b"), "no colour codes");
    }

    @Test
    void clientLogNodeComesFromClientNameLine() {
        String ct = """
                2024-05-01 12:03:01 INFO: Starting Backup of VM 101 (lxc)
                2024-05-01 12:03:01 INFO: CT Name: dns01
                2024-05-01 12:03:02 INFO: Starting backup: [pve-lab]:ct/101/2024-05-01T10:03:01Z
                2024-05-01 12:03:02 INFO: Client name: pve1
                2024-05-01 12:03:02 INFO: Starting backup protocol: Wed May  1 12:03:02 2024
                """;
        assertEquals(new ClientLog("pve1", "dns01"), ClientLog.parse(ct));
        String vm = """
                2024-05-01 12:00:00 INFO: Starting Backup of VM 100 (qemu)
                2024-05-01 12:00:00 INFO: VM Name: web01
                2024-05-01 12:01:37 INFO: Finished Backup of VM 100 (00:01:37)
                """;
        assertEquals(new ClientLog(null, "web01"), ClientLog.parse(vm));
        // the line older write-ups quote does not exist and is not trusted
        assertNull(ClientLog.parse("2024-05-01 12:00:00 INFO: starting backup on host pve9\n").node());
    }

    @Test
    void guestTypePriority() {
        assertEquals("ct", GuestTypes.resolve("ct", "qemu", "vzdump-qemu-1.vma"));
        assertEquals("vm", GuestTypes.resolve(null, "qemu", "vzdump-lxc-1.tar"));
        assertEquals("ct", GuestTypes.resolve(null, "unknown", "local:backup/vzdump-openvz-101-2024_05_01-12_00_00.tgz"));
        assertEquals("vm", GuestTypes.resolve(null, null, "local:backup/vzdump-qemu-102-2024_05_01-12_00_00.vma"));
        assertEquals("unknown", GuestTypes.resolve(null, null, "local:backup/something.bin"));
        assertEquals("vm", GuestTypes.resolve("other", null, "qemu-server.conf.blob"));
        // a renamed dump: PVE's content subtype (taken from the name by PVE) is the authority, not a prefix guess
        assertEquals("unknown", GuestTypes.resolve(null, null, "local:backup/vzdump-qemu-102-manual.vma"));
        assertEquals("vm", GuestTypes.resolve(null, "qemu", "local:backup/vzdump-qemu-102-manual.vma"));
    }

    @Test
    void sharedStorageSeenByThreeNodesCountsOnce() throws Exception {
        AuditModel.Result r = AuditModel.build(AuditScenario.input(true));
        long nas = r.backups.stream().filter(b -> b.volid != null && b.volid.startsWith("nas:")).count();
        assertEquals(2, nas);
        AuditModel.Backup b = r.backups.stream().filter(x -> x.volid != null && x.volid.startsWith("nas:")).findFirst().orElseThrow();
        assertEquals(3, b.seenCount());
        assertNull(b.node, "shared storage: node unknown");
        AuditModel.Backup local = r.backups.stream().filter(x -> x.volid != null && x.volid.startsWith("local:")).findFirst().orElseThrow();
        assertEquals("pve1", local.node);
    }
}
