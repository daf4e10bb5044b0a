package io.plakar.pve.proxmox;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InventoryParserTest {
    static String fixture(String name) throws IOException {
        try (InputStream in = InventoryParserTest.class.getResourceAsStream("/api-shapes/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void clusterResourcesFixture() throws Exception {
        List<Guest> g = InventoryParser.clusterResources(fixture("pvesh-cluster-resources.json"));
        assertEquals(List.of(100, 101, 102, 103, 104, 9000), g.stream().map(Guest::vmid).toList());
        assertEquals(new Guest(100, GuestType.QEMU, "pve1", "web01", "running", false), g.get(0));
        assertEquals(GuestType.LXC, g.get(1).type());
        assertEquals("", g.get(4).name(), "no RRD data yet: no name");
        assertTrue(g.get(5).template());
    }

    @Test
    void perlNumbersAndBooleansAreReadLeniently() throws Exception {
        String json = "[{\"id\":\"lxc/120\",\"vmid\":\"120\",\"node\":\"pve2\",\"type\":\"lxc\",\"template\":\"1\"},"
                + "{\"id\":\"qemu/121\",\"node\":\"pve1\",\"type\":\"qemu\",\"template\":0.0},"
                + "{\"id\":\"storage/pve1/local\",\"type\":\"storage\",\"node\":\"pve1\"}]";
        List<Guest> g = InventoryParser.clusterResources(json);
        assertEquals(2, g.size());
        assertEquals(120, g.get(0).vmid());
        assertTrue(g.get(0).template());
        assertEquals(121, g.get(1).vmid(), "vmid taken from id when absent");
        assertFalse(g.get(1).template());
    }

    @Test
    void poolShapesBothWork() throws Exception {
        List<Guest> byPoolid = InventoryParser.poolMembers(fixture("pvesh-pools-by-poolid.json"), "prod").orElseThrow();
        List<Guest> deprecated = InventoryParser.poolMembers(fixture("pvesh-pool-deprecated.json"), "prod").orElseThrow();
        assertEquals(List.of(100, 101), byPoolid.stream().map(Guest::vmid).toList(), "storage members skipped");
        assertEquals(byPoolid, deprecated);
        assertTrue(InventoryParser.poolMembers(fixture("pvesh-pools-list.json"), "prod").isEmpty(),
                "a list without members means: ask the other endpoint");
    }

    @Test
    void clusterStatusAndVersion() throws Exception {
        String status = "[{\"id\":\"cluster\",\"name\":\"lab\",\"nodes\":2,\"quorate\":1,\"type\":\"cluster\",\"version\":3},"
                + "{\"id\":\"node/pve1\",\"ip\":\"10.0.0.11\",\"level\":\"\",\"local\":\"1\",\"name\":\"pve1\",\"nodeid\":1,\"online\":1,\"type\":\"node\"},"
                + "{\"id\":\"node/pve2\",\"ip\":\"10.0.0.12\",\"local\":0,\"name\":\"pve2\",\"nodeid\":2,\"online\":0,\"type\":\"node\"}]";
        assertEquals(List.of(new ClusterNode("pve1", "10.0.0.11", true, true), new ClusterNode("pve2", "10.0.0.12", false, false)),
                InventoryParser.clusterStatus(status));
        assertEquals("8.2.4", InventoryParser.version(fixture("pvesh-version.json")));
    }
}
