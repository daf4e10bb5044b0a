package io.plakar.pve.exporter;

import io.plakar.pve.proxmox.GuestType;
import io.plakar.pve.sdk.ConnectorException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/** Drill and bulk-restore keys, VMID picking, the drill's command lines and its report line. */
class DrillTest {

    private static Map<String, String> base(String... kv) {
        Map<String, String> m = new HashMap<>(Map.of("mode", "local", "location", "proxmox+backup://pve1"));
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void drillDefaults() throws Exception {
        DrillOptions d = ProxmoxExporterConfig.parse(base("drill", "true")).drill();
        assertTrue(d.enabled());
        assertEquals(new VmidRange(9900, 9999), d.range());
        assertEquals("plakar-drill", d.pool());
        assertFalse(d.boot());
        assertEquals(Duration.ofSeconds(300), d.timeout());
        assertEquals(Duration.ofSeconds(10), d.settle());
        assertTrue(d.storage().isEmpty() && d.report().isEmpty());
        assertFalse(ProxmoxExporterConfig.parse(base()).drill().enabled());
    }

    @Test
    void drillKeysAreRead(@TempDir Path dir) throws Exception {
        DrillOptions d = ProxmoxExporterConfig.parse(base("drill", "1", "drill_vmid_range", "500-509", "drill_pool", "dr/x",
                "drill_storage", "fast-ssd", "drill_boot", "true", "drill_timeout", "90s", "drill_settle", "1s",
                "drill_poll_interval", "50ms", "drill_report", dir.resolve("drills.jsonl").toString())).drill();
        assertEquals(new VmidRange(500, 509), d.range());
        assertEquals("dr/x", d.pool());
        assertEquals(Optional.of("fast-ssd"), d.storage());
        assertTrue(d.boot());
        assertEquals(Duration.ofSeconds(90), d.timeout());
        assertEquals(Duration.ofMillis(50), d.pollInterval());
        assertEquals(Optional.of(dir.resolve("drills.jsonl")), d.report());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "drill_vmid_range|9999-9900|drill_vmid_range: must be <first>-<last>",
            "drill_vmid_range|99-200|drill_vmid_range: must be <first>-<last>",
            "drill_vmid_range|9900|drill_vmid_range: must be <first>-<last>",
            "drill_pool|a b|drill_pool: must be a pool id",
            "drill_storage|Fast|drill_storage: must be a storage id",
            "drill_boot|maybe|drill_boot: must be a boolean",
            "drill_timeout|0s|drill_timeout: must be longer than 0s",
            "drill_timeout|forever|drill_timeout: must be a duration",
            "drill_poll_interval|1ms|drill_poll_interval: must be at least 10ms",
            "drill_report|/nonexistent-dir/x.jsonl|drill_report: the directory of /nonexistent-dir/x.jsonl does not exist",
            "newid|9101|leave out newid",
            "vmid_map|101:9101|leave out vmid_map and newid_offset",
            "newid_offset|9000|leave out vmid_map and newid_offset",
            "force_vm_restore|true|never overwrites a guest: leave out force_vm_restore",
            "start_on_restore|true|leave out start_on_restore",
            "pool|prod|use drill_pool instead of pool",
            "storage|local-lvm|use drill_storage instead of storage",
    })
    void drillRefusesBadValuesAndConflicts(String key, String value, String expected) {
        ConnectorException e = assertThrows(ConnectorException.class,
                () -> ProxmoxExporterConfig.parse(base("drill", "true", key, value)));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void drillKeysWithoutDrillAreRefused() {
        ConnectorException e = assertThrows(ConnectorException.class,
                () -> ProxmoxExporterConfig.parse(base("drill_boot", "true")));
        assertTrue(e.getMessage().contains("drill_boot: applies to restore drills only"), e.getMessage());
    }

    @Test
    void bulkTargets() throws Exception {
        var c = ProxmoxExporterConfig.parse(base("vmid_map", "101:9101,102:9102", "link_down", "true"));
        assertEquals(OptionalInt.of(9101), c.targetIds().targetOf(101));
        assertEquals(OptionalInt.empty(), c.targetIds().targetOf(103));
        assertTrue(c.targetIds().noTarget(103).contains("vmid_map does not name VMID 103"));
        assertTrue(c.restore().unique(), "copies next to their originals get new MACs");
        assertTrue(c.linkDown());
        var o = ProxmoxExporterConfig.parse(base("newid_offset", "9000")).targetIds();
        assertEquals(OptionalInt.of(9101), o.targetOf(101));
        assertEquals(OptionalInt.empty(), o.targetOf(999_999_000));
        assertFalse(ProxmoxExporterConfig.parse(base()).targetIds().active());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "vmid_map=101:9101,102:9101|two guests are mapped to VMID 9101",
            "vmid_map=101:9101,101:9102|VMID 101 is mapped twice",
            "vmid_map=101-9101|vmid_map: must be a list of <vmid>:<new vmid> pairs",
            "vmid_map=101:9101;newid_offset=9000|vmid_map and newid_offset both",
            "newid_offset=9000;newid=300|newid_offset and newid both",
            "newid_offset=0|newid_offset: must be between 1",
            "vmid_map=101:9101;force_vm_restore=true|cannot be combined with force_vm_restore",
            "link_down=perhaps|link_down: must be a boolean",
    })
    void bulkRefusals(String kvs, String expected) {
        Map<String, String> m = base();
        for (String kv : kvs.split(";")) {
            String[] p = kv.split("=", 2);
            m.put(p[0], p[1]);
        }
        ConnectorException e = assertThrows(ConnectorException.class, () -> ProxmoxExporterConfig.parse(m));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void vmidRangePicksTheLowestFreeId() {
        VmidRange r = VmidRange.parse("9900-9902");
        assertEquals(3, r.size());
        assertEquals(OptionalInt.of(9900), r.firstFree(Set.of(), 9900));
        assertEquals(OptionalInt.of(9902), r.firstFree(Set.of(9900, 9901, 100), 9900));
        assertEquals(OptionalInt.empty(), r.firstFree(Set.of(9900, 9901, 9902), 9900));
        assertTrue(r.contains(9900) && r.contains(9902) && !r.contains(9903) && !r.contains(9899));
        assertNull(VmidRange.parse("9902-9900"));
        assertNull(VmidRange.parse("09900-9902"));
    }

    @Test
    void drillCommandLines() {
        assertEquals(List.of("qm", "set", "9900", "--tags", "plakar-drill"), GuestCommands.tagArgv(GuestType.QEMU, 9900, "plakar-drill"));
        assertEquals(List.of("pct", "set", "9901", "--tags", "plakar-drill"), GuestCommands.tagArgv(GuestType.LXC, 9901, "plakar-drill"));
        assertEquals(List.of("qm", "guest", "cmd", "9900", "ping"), GuestCommands.pingArgv(9900));
        assertEquals(List.of("qm", "destroy", "9900", "--purge", "1"), GuestCommands.destroyArgv(GuestType.QEMU, 9900));
        assertEquals(List.of("pct", "destroy", "9901", "--purge", "1"), GuestCommands.destroyArgv(GuestType.LXC, 9901));
        assertEquals(List.of("qm", "config", "9900"), GuestCommands.configArgv(GuestType.QEMU, 9900));
        Map<String, String> vm = GuestCommands.parseConfig("agent: 1\nboot: order=scsi0;net0\nnet0: virtio=BC:24:11:26:AC:00,bridge=vmbr0\n"
                + "net1: e1000=BC:24:11:26:AC:01,bridge=vmbr1,tag=5,link_down=0\ntags: a;plakar-drill\n[snap1]\nnet2: virtio=x,bridge=vmbr0\n");
        assertEquals(List.of("qm", "set", "9900", "--net0", "virtio=BC:24:11:26:AC:00,bridge=vmbr0,link_down=1",
                        "--net1", "e1000=BC:24:11:26:AC:01,bridge=vmbr1,tag=5,link_down=1"),
                GuestCommands.isolateArgv(GuestType.QEMU, 9900, vm), "every NIC of the main section, same value, link_down=1");
        assertTrue(GuestCommands.agentEnabled(vm));
        assertTrue(GuestCommands.hasTag(vm, "plakar-drill"));
        assertFalse(GuestCommands.hasTag(Map.of("tags", "plakar-drill-old"), "plakar-drill"));
        Map<String, String> ct = GuestCommands.parseConfig("net0: name=eth0,bridge=vmbr0,hwaddr=BC:24:11:00:00:01,ip=dhcp,type=veth\n");
        assertEquals(List.of("pct", "set", "9901", "--net0", "name=eth0,hwaddr=BC:24:11:00:00:01,ip=dhcp,type=veth"),
                GuestCommands.isolateArgv(GuestType.LXC, 9901, ct), "containers: the bridge is removed");
        assertEquals(List.of(), GuestCommands.isolateArgv(GuestType.QEMU, 9900, Map.of("memory", "512")));
        assertFalse(GuestCommands.agentEnabled(Map.of("agent", "0")));
        assertTrue(GuestCommands.agentEnabled(Map.of("agent", "enabled=1,fstrim_cloned_disks=1")));
    }

    @Test
    void drillRestoreArgvHasUniqueAndPoolAndNeverForce() {
        var o = new ProxmoxExporterConfig.RestoreOptions(OptionalInt.empty(), Optional.of("fast"), Optional.of("plakar-drill"),
                true, false, false, java.util.OptionalLong.empty(), ProxmoxExporterConfig.RestoreTransport.STREAM, Duration.ofMinutes(3));
        assertEquals(List.of("qmrestore", "-", "9900", "--storage", "fast", "--pool", "plakar-drill", "--unique", "1"),
                new RestoreCommand(GuestType.QEMU, "-", 9900, false, o.pool(), o).argv());
    }

    @Test
    void reportLineHasTheAuditFieldsAndIsAppendedOwnerOnly(@TempDir Path dir) throws Exception {
        Map<String, Double> t = new LinkedHashMap<>();
        t.put("restore", 1.23456);
        t.put("boot", 0.5);
        DrillResult r = new DrillResult("qemu/101", "vzdump-qemu-101-2026_02_10-02_00_00.vma.zst", 9900, false, "agent",
                "no answer", t, null, Instant.parse("2026-02-10T03:04:05.678Z"));
        String line = DrillReport.jsonLine(r);
        assertEquals("{\"guest\":\"qemu/101\",\"dump\":\"vzdump-qemu-101-2026_02_10-02_00_00.vma.zst\",\"snapshot\":null,"
                + "\"result\":\"fail\",\"phase\":\"agent\",\"timings\":{\"restore\":1.235,\"boot\":0.5},"
                + "\"time\":\"2026-02-10T03:04:05Z\",\"drill_vmid\":9900,\"message\":\"no answer\"}", line);
        Path f = dir.resolve("d.jsonl");
        DrillReport report = new DrillReport(Optional.of(f));
        report.add(r);
        report.add(r);
        assertEquals(List.of(line, line), Files.readAllLines(f));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
    }

    @Test
    void pacerEndsAtOnceOnAbort() throws Exception {
        DrillRun.Pacer p = new DrillRun.Pacer();
        p.abort();
        long t0 = System.nanoTime();
        assertFalse(p.pause(Duration.ofHours(1), System.nanoTime() + Duration.ofHours(1).toNanos()));
        assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(5).toNanos());
        p.resume();
        assertFalse(p.pause(Duration.ofMillis(1), System.nanoTime() - 1), "a passed deadline ends the wait");
    }
}
