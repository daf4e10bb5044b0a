package io.plakar.pve.plugin.reliability;

import io.plakar.pve.proto.connectors.Result;
import io.plakar.pve.testkit.host.BackupOptions;
import io.plakar.pve.testkit.host.ExportItem;
import io.plakar.pve.testkit.host.Snapshot;
import io.plakar.pve.testkit.sim.SimulatedCluster;
import io.plakar.pve.testkit.sim.Guest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * 200 small guests backed up in one Import and restored in one Export through the packaged
 * connectors, with the plugin's peak resident memory (VmHWM), open file descriptors and
 * children sampled every 50 ms: bounded, and back to where they started (no leak per guest).
 */
class LoadIT {
    static final int GUESTS = Integer.getInteger("reliability.load.guests", 200);
    static final long HWM_LIMIT_KIB = 320 * 1024;
    static final int FD_LIMIT = 200;
    static final String TRANSPORT = System.getProperty("reliability.load.transport", "stage");

    @Test
    void twoHundredGuestsBackupAndRestore(@TempDir Path store) throws Exception {
        try (SimulatedCluster node = Rel.node()) {
            node.addPool("load", "load test");
            for (int i = 0; i < GUESTS; i++) {
                int vmid = 1000 + i;
                Guest g = i % 4 == 3 ? Guest.lxc(vmid, "ct" + vmid) : Guest.qemu(vmid, "vm" + vmid);
                node.addGuest(g.running().pool("load").diskBytes(64L << 10));
            }
            Path dumpDir = node.newDumpDir("load");

            // ---- backup
            Snapshot s;
            long t0 = System.nanoTime();
            ResourceSampler backup;
            int fdsAfterBackup;
            try (Rel.Plugin p = Rel.importer(node.env(), "load backup")) {
                backup = new ResourceSampler(p.pid(), 50);
                var c = p.process.importer();
                c.init("proxmox+backup", Rel.local(node, dumpDir, "pool", "load"));
                backup.baseline();
                s = c.backup(BackupOptions.defaults().storeContent(store));
                Capture.snapshot(p.label, s);
                fdsAfterBackup = backup.fdsNow();
                backup.close();
                p.finish();
            }
            double backupSec = (System.nanoTime() - t0) / 1e9;
            assertEquals("", s.importError());
            assertEquals(GUESTS, s.entries().size(), s.toString());
            assertTrue(s.entries().stream().allMatch(Snapshot.Entry::ok), s.toString());
            long bytes = s.entries().stream().mapToLong(Snapshot.Entry::size).sum();

            // ---- restore of all of them (the guests are gone)
            List<ExportItem> items = new ArrayList<>();
            items.add(ExportItem.directory("/"));
            Map<Integer, String> expect = new java.util.HashMap<>();
            for (Snapshot.Entry e : s.entries()) {
                Path f = e.contentFile();
                int vmid = Integer.parseInt(e.path().split("-")[2]);
                expect.put(vmid, e.sha256());
                node.removeGuest(vmid);
                items.add(ExportItem.file(e.path(), e.size(), Instant.ofEpochSecond(e.record().getFileInfo().getModTime().getSeconds()),
                        () -> open(f)));
            }
            int restoresBefore = node.restores().size();
            long t1 = System.nanoTime();
            ResourceSampler restore;
            List<Result> results;
            int fdsAfterRestore;
            try (Rel.Plugin p = Rel.exporter(node.env(), "load restore")) {
                restore = new ResourceSampler(p.pid(), 50);
                var c = p.process.exporter();
                c.init("proxmox+backup", Rel.local(node, dumpDir, "restore_transport", TRANSPORT));
                restore.baseline();
                results = c.export(items);
                Capture.results(p.label, results);
                fdsAfterRestore = restore.fdsNow();
                restore.close();
                p.finish();
            }
            double restoreSec = (System.nanoTime() - t1) / 1e9;
            Map<String, Integer> tools = new java.util.TreeMap<>();
            node.auditArgv().forEach(a -> tools.merge(a.get(0) + (a.size() > 1 && !a.get(1).startsWith("/") ? " " + a.get(1) : ""), 1, Integer::sum));
            System.err.println("LOAD commands: " + tools);
            assertEquals(items.size(), results.size());
            List<String> failed = results.stream().filter(r -> !r.getError().isEmpty()).map(r -> r.getHeader().getPathname()
                    + ": " + r.getError()).toList();
            int intact = 0;
            List<Map<String, Object>> all = node.restores();
            for (Map<String, Object> r : all.subList(restoresBefore, all.size())) {
                int vmid = Integer.parseInt(String.valueOf(r.get("vmid")));
                if (Boolean.TRUE.equals(r.get("ok")) && expect.containsKey(vmid) && expect.get(vmid).equals(r.get("sha256_uncompressed"))) {
                    intact++;
                }
            }

            String b = String.format("%d guests, %.1f MiB in %.1f s; VmHWM %d MiB; fds %d → max %d → %d after; max %d children",
                    GUESTS, bytes / 1048576.0, backupSec, backup.hwmKiB / 1024, backup.firstFds, backup.maxFds, fdsAfterBackup,
                    backup.maxChildren);
            String r = String.format("%d guests (%d intact) in %.1f s; VmHWM %d MiB; fds %d → max %d → %d after; max %d children",
                    GUESTS, intact, restoreSec, restore.hwmKiB / 1024, restore.firstFds, restore.maxFds, fdsAfterRestore,
                    restore.maxChildren);
            System.err.println("LOAD backup: " + b + "\nLOAD restore: " + r);
            FiguresReport.load("backup of " + GUESTS + " small guests (one Import, local)", b);
            FiguresReport.load("restore of " + GUESTS + " guests (one Export, local, " + TRANSPORT + ")", r);

            Capture.assertNoLeaks();
            assertTrue(failed.isEmpty(), failed.toString());
            assertEquals(GUESTS, intact, "every guest restored from exactly the bytes backed up");
            assertTrue(backup.hwmKiB < HWM_LIMIT_KIB && restore.hwmKiB < HWM_LIMIT_KIB, b + " / " + r);
            assertTrue(backup.maxFds < FD_LIMIT && restore.maxFds < FD_LIMIT, b + " / " + r);
            assertTrue(fdsAfterBackup <= backup.firstFds + 8 && fdsAfterRestore <= restore.firstFds + 8,
                    "file descriptors leak per guest: " + b + " / " + r);
            assertTrue(backup.maxChildren <= 3 && restore.maxChildren <= 3, "children bounded: " + b + " / " + r);
        }
    }

    static InputStream open(Path f) {
        try {
            return Files.newInputStream(f);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static String sha(Path f) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (InputStream in = Files.newInputStream(f)) {
            byte[] b = new byte[65536];
            int n;
            while ((n = in.read(b)) > 0) {
                md.update(b, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
