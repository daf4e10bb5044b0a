package io.plakar.pve.importer.audit;

import io.plakar.pve.importer.audit.api.PbsTypes;
import io.plakar.pve.importer.audit.api.PveTypes;
import io.plakar.pve.testkit.pbs.FakePbs;
import io.plakar.pve.testkit.pbs.FakePve;
import io.plakar.pve.testkit.pbs.Snap;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The reference scenario, served by the fakes or fed straight to the model:
 *
 * <pre>
 * PBS store1
 *   @root    ct/200 from pve1 and from pve2 (client logs)         → critical
 *            vm/100 "web01" and vm/100 "db01" (VM Name lines)     → critical (+ also in pve-lab)
 *            host/pbs1
 *   pve-lab  vm/100 @base, vm/100 @base+3600 IN PROGRESS, ct/101 @base+181
 *   pve-prod ct/101 @base+600                                     → warning (pve-lab, pve-prod)
 * PVE cluster "lab": pve1, pve2, pve3
 *   pbs-store (pbs → store1/pve-lab) on pve1, pve2: the 3 pve-lab snapshots + vm/102 that PBS does not list
 *   nas (nfs, shared) on pve1..3: vzdump-qemu-100 @base+1800, vzdump-lxc-101 @base+900
 *   local (dir) on pve1: vzdump-qemu-100 @base+2400
 *   snapshots: qemu/100 @base+4000; lxc/101 @base-100000 and one without snaptime
 * </pre>
 */
final class AuditScenario {
    static final long BASE = 1714557600L; // 2024-05-01T10:00:00Z
    static final String PBS_TOKEN = "audit@pbs!t";
    static final String PBS_SECRET = "3f1c2d0e-1111-2222-3333-444455556666";
    static final String PVE_TOKEN = "audit@pve!t";
    static final String PVE_SECRET = "9a8b7c6d-1111-2222-3333-444455556666";
    static final long VM102_SIZE = 21474838064L;

    static List<Map<String, Object>> nas() {
        return List.of(
                FakePve.vzdump("nas", "vzdump-lxc-101-2024_05_01-12_15_00.tar.zst", 101, BASE + 900, 3000),
                FakePve.vzdump("nas", "vzdump-qemu-100-2024_05_01-12_30_00.vma.zst", 100, BASE + 1800, 5000));
    }

    static List<Map<String, Object>> local() {
        return List.of(FakePve.vzdump("local", "vzdump-qemu-100-2024_05_01-12_40_00.vma.zst", 100, BASE + 2400, 7000));
    }

    static Map<String, Object> vm102() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("volid", "pbs-store:backup/vm/102/" + Instant.ofEpochSecond(BASE + 5400));
        m.put("content", "backup");
        m.put("format", "pbs-vm");
        m.put("subtype", "qemu");
        m.put("vmid", 102);
        m.put("ctime", BASE + 5400);
        m.put("size", VM102_SIZE);
        return m;
    }

    static void pbs(FakePbs pbs) {
        FakePbs.Store s = pbs.store("store1");
        s.comment = "primary";
        s.add("", Snap.ct("200", BASE - 86400, 1000).node("pve1").name("dns01"));
        s.add("", Snap.ct("200", BASE - 3600, 1100).node("pve2").name("dns01"));
        s.add("", Snap.vm("100", BASE - 7200, 2000).name("web01"));
        s.add("", Snap.vm("100", BASE - 5400, 2100).name("db01"));
        s.add("", Snap.host("pbs1", BASE - 10000, 500));
        s.add("pve-lab", Snap.vm("100", BASE, 4000).owner("pve@pbs!lab").comment("web01 (pve1)")
                .verified("ok", "UPID:pbs1:00000A4C:0001F2B3:00000012:663301B0:verificationjob:store1\\x3av-1:root@pam:"));
        s.add("pve-lab", Snap.vm("100", BASE + 3600, 4100).owner("pve@pbs!lab").inProgress());
        s.add("pve-lab", Snap.ct("101", BASE + 181, 3000).owner("pve@pbs!lab").node("pve1").protect());
        s.add("pve-prod", Snap.ct("101", BASE + 600, 3100).owner("pve@pbs!prod").node("pve3"));
    }

    static void pve(FakePve pve, FakePbs pbs, String pbsServer, int pbsPort) {
        pve.cluster("lab").node("pve1").node("pve2").node("pve3");
        pve.pbsStorage("pbs-store", pbsServer, pbsPort, "store1", "pve-lab", "pve1", "pve2");
        List<Map<String, Object>> c = new ArrayList<>(pbs.pveContent("pbs-store", "store1", "pve-lab"));
        c.add(vm102());
        pve.content("pbs-store", c);
        pve.storage("nas", "nfs", true, "pve1", "pve2", "pve3");
        pve.content("nas", nas());
        pve.storage("local", "dir", false, "pve1");
        pve.localContent("pve1", "local", local());
        pve.guest(100, "qemu", "pve1", "web01");
        pve.guest(101, "lxc", "pve1", "dns01");
        pve.guest(105, "qemu", "pve2", "never-backed-up");
        pve.snapshot("qemu", 100, "daily", BASE + 4000);
        pve.snapshot("lxc", 101, "old", BASE - 100000);
        pve.snapshot("lxc", 101, "nosnaptime", 0);
    }

    /** The same scenario as model input, without any server (what the collector would read). */
    static AuditInput input(boolean withPve) {
        FakePbs pbs = new FakePbs(io.plakar.pve.testkit.pbs.SelfSignedCert.shared(), PBS_TOKEN, PBS_SECRET);
        pbs(pbs);
        AuditInput in = new AuditInput();
        in.auditTime = Instant.ofEpochSecond(BASE + 86400);
        in.pbsHost = "pbs.example.com";
        in.pbsPort = 8007;
        in.pbsVersion = "3.2-4";
        in.pbsNode = "pbs1";
        AuditInput.StoreData sd = new AuditInput.StoreData("store1");
        sd.namespaces.addAll(List.of("", "pve-lab", "pve-prod"));
        for (String ns : sd.namespaces) {
            for (Snap s : pbs.store("store1").snapshots(ns)) {
                PbsTypes.Snapshot ps = convert("store1", ns, s);
                sd.snapshots.add(ps);
                if (ns.isEmpty() && s.hasLog && !s.inProgress) {
                    in.logs.put(AuditInput.snapshotKey(ps), ClientLog.parse(s.clientLog(ns)));
                }
            }
        }
        in.stores.add(sd);
        if (withPve) {
            AuditInput.PveData d = new AuditInput.PveData();
            d.endpoint = "pve.example.com:8006";
            d.cluster = "lab";
            for (String n : List.of("pve1", "pve2", "pve3")) {
                d.nodes.add(new PveTypes.Node(n, "online"));
            }
            PveTypes.Storage pbsSt = new PveTypes.Storage("pbs-store", "pbs", java.util.Set.of("backup"), true, true, true);
            PveTypes.Storage nasSt = new PveTypes.Storage("nas", "nfs", java.util.Set.of("backup"), true, true, true);
            PveTypes.Storage localSt = new PveTypes.Storage("local", "dir", java.util.Set.of("backup"), false, true, true);
            d.storages.put("pve1", List.of(pbsSt, nasSt, localSt));
            d.storages.put("pve2", List.of(pbsSt, nasSt));
            d.storages.put("pve3", List.of(nasSt));
            d.pbsConfigs.put("pbs-store", new PveTypes.PbsStorageConfig("pbs-store", "pbs.example.com", 8007, "store1",
                    "pve-lab", null));
            List<PveTypes.Backup> pbsContent = new ArrayList<>();
            for (Map<String, Object> m : pbs.pveContent("pbs-store", "store1", "pve-lab")) {
                pbsContent.add(backup(m));
            }
            pbsContent.add(backup(vm102()));
            List<PveTypes.Backup> nas = nas().stream().map(AuditScenario::backup).toList();
            for (String n : List.of("pve1", "pve2")) {
                Map<String, List<PveTypes.Backup>> byStorage = new LinkedHashMap<>();
                byStorage.put("pbs-store", pbsContent);
                byStorage.put("nas", nas);
                d.content.put(n, byStorage);
            }
            d.content.get("pve1").put("local", local().stream().map(AuditScenario::backup).toList());
            d.content.put("pve3", new LinkedHashMap<>(Map.of("nas", nas)));
            d.guests.add(new PveTypes.Guest(100, "pve1", "qemu", "web01", false, java.util.Set.of()));
            d.guests.add(new PveTypes.Guest(101, "pve1", "lxc", "dns01", false, java.util.Set.of()));
            d.guests.add(new PveTypes.Guest(105, "pve2", "qemu", "never-backed-up", false, java.util.Set.of()));
            d.snapshots.put("qemu/100", List.of(new PveTypes.Snapshot("daily", BASE + 4000)));
            d.snapshots.put("lxc/101", List.of(new PveTypes.Snapshot("old", BASE - 100000), new PveTypes.Snapshot("nosnaptime", 0)));
            d.snapshots.put("qemu/105", List.of());
            in.pve = d;
        }
        return in;
    }

    static PbsTypes.Snapshot convert(String store, String ns, Snap s) {
        List<PbsTypes.File> files = new ArrayList<>();
        for (Snap.File f : s.files) {
            files.add(new PbsTypes.File(f.name(), f.cryptMode(), f.size() == null ? -1 : f.size()));
        }
        if (s.hasLog) {
            files.add(new PbsTypes.File("client.log.blob", null, -1));
        }
        return new PbsTypes.Snapshot(store, ns, s.type, s.id, s.time, s.size() == null ? -1 : s.size(), files, s.owner,
                s.isProtected, s.comment, s.verifyState, s.verifyUpid, s.fingerprint);
    }

    static PveTypes.Backup backup(Map<String, Object> m) {
        @SuppressWarnings("unchecked")
        Map<String, Object> v = (Map<String, Object>) m.get("verification");
        return new PveTypes.Backup((String) m.get("volid"), (String) m.get("format"), (String) m.get("subtype"),
                ((Number) m.get("vmid")).longValue(), ((Number) m.get("ctime")).longValue(),
                ((Number) m.get("size")).longValue(), (String) m.get("notes"), m.containsKey("protected"),
                v == null ? null : (String) v.get("state"), null);
    }
}
