package io.plakar.pve.importer.audit;

import io.plakar.pve.importer.audit.api.PbsTypes;
import io.plakar.pve.importer.audit.api.PveTypes;
import io.plakar.pve.testkit.pbs.Snap;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.plakar.pve.importer.audit.AuditScenario.BASE;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The collision rules the reference scenario does not reach. */
class CollisionRulesTest {

    private static void add(AuditInput in, AuditInput.StoreData sd, String ns, Snap s, String node) {
        PbsTypes.Snapshot ps = AuditScenario.convert(sd.store, ns, s);
        sd.snapshots.add(ps);
        if (!sd.namespaces.contains(ns)) {
            sd.namespaces.add(ns);
        }
        in.logs.put(AuditInput.snapshotKey(ps), new ClientLog(node, null));
    }

    @Test
    void rootNamespacesOfTwoDatastoresWrittenFromDifferentNodesAreCritical() {
        AuditInput in = new AuditInput();
        AuditInput.StoreData a = new AuditInput.StoreData("store-a");
        AuditInput.StoreData b = new AuditInput.StoreData("store-b");
        in.stores.add(a);
        in.stores.add(b);
        // each root namespace on its own is written by one node only: only the pair is a collision
        add(in, a, "", Snap.ct("300", BASE, 10), "pve1");
        add(in, b, "", Snap.ct("300", BASE + 60, 10), "pve7");
        AuditModel.Result r = AuditModel.build(in);
        assertEquals(1, r.collisions.size());
        AuditModel.Collision c = r.collisions.get(0);
        assertEquals("ct/300/critical", c.type() + "/" + c.id() + "/" + c.severity());
        assertEquals(List.of("root namespaces store-a:@root, store-b:@root written from different nodes: pve1, pve7"),
                c.reasons());
        assertEquals(2, c.locations().size());
    }

    @Test
    void oneNodeWritingTwoRootNamespacesIsNoCollision() {
        AuditInput in = new AuditInput();
        AuditInput.StoreData a = new AuditInput.StoreData("store-a");
        AuditInput.StoreData b = new AuditInput.StoreData("store-b");
        in.stores.add(a);
        in.stores.add(b);
        add(in, a, "", Snap.ct("300", BASE, 10), "pve1");
        add(in, b, "", Snap.ct("300", BASE + 60, 10), "pve1");
        assertEquals(0, AuditModel.build(in).collisions.size());
    }

    @Test
    void aNodeOutsideThePveClusterIsNamedAsAnotherCluster() {
        AuditInput in = new AuditInput();
        AuditInput.StoreData a = new AuditInput.StoreData("store1");
        in.stores.add(a);
        add(in, a, "", Snap.ct("200", BASE, 10), "pve1");
        add(in, a, "", Snap.ct("200", BASE + 60, 10), "other-node");
        AuditInput.PveData pve = new AuditInput.PveData();
        pve.endpoint = "pve.example.com:8006";
        pve.cluster = "lab";
        pve.nodes.add(new PveTypes.Node("pve1", "online"));
        in.pve = pve;
        AuditModel.Result r = AuditModel.build(in);
        assertEquals(1, r.collisions("critical"));
        assertEquals(List.of("root namespace store1:@root written from different nodes: other-node (not in cluster lab),"
                + " pve1 (cluster lab)"), r.collisions.get(0).reasons());
    }
}
