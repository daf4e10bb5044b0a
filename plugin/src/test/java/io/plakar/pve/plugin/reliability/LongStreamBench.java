package io.plakar.pve.plugin.reliability;

import io.plakar.pve.testkit.host.BackupOptions;
import io.plakar.pve.testkit.host.Snapshot;
import io.plakar.pve.testkit.sim.SimulatedCluster;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Not a test (too slow for {@code make test}): one 16 GiB guest streamed through the packaged
 * proxmoxImporter (mode=local, uncompressed) into the test host, which hashes every byte. The
 * plugin's VmRSS is sampled every second; the stream must end complete with a flat RSS.
 *
 * <pre>scripts/run-test-main.sh io.plakar.pve.plugin.reliability.LongStreamBench [GiB]</pre>
 */
public final class LongStreamBench {
    private LongStreamBench() {
    }

    public static void main(String[] args) throws Exception {
        long gib = args.length > 0 ? Long.parseLong(args[0]) : 16;
        long bytes = gib << 30;
        System.setProperty("testhost.quiet", "true");
        try (SimulatedCluster node = Rel.node()) {
            node.putEnv("PVE_FAKE_DISK_BYTES_100", Long.toString(bytes));
            Path dumpDir = node.newDumpDir("bench");
            List<long[]> series = new ArrayList<>(); // {seconds, VmRSS KiB}
            Snapshot s;
            long t0 = System.nanoTime();
            long hwm;
            try (Rel.Plugin p = Rel.importer(node.env(), "long stream")) {
                long pid = p.pid();
                Thread sampler = new Thread(() -> {
                    while (!Thread.currentThread().isInterrupted()) {
                        long rss = Procs.statusKiB(pid, "VmRSS");
                        if (rss > 0) {
                            synchronized (series) {
                                series.add(new long[] {(System.nanoTime() - t0) / 1_000_000_000L, rss});
                            }
                        }
                        try {
                            Thread.sleep(1000);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }, "rss");
                sampler.setDaemon(true);
                sampler.start();
                s = Rel.backup(p, Rel.local(node, dumpDir, "vmid", "100"), BackupOptions.defaults().concurrency(1));
                sampler.interrupt();
                hwm = Procs.statusKiB(pid, "VmHWM");
                p.finish();
            }
            double sec = (System.nanoTime() - t0) / 1e9;
            Snapshot.Entry e = Rel.entry(s, "/vzdump-qemu-100-");
            List<long[]> l;
            synchronized (series) {
                l = new ArrayList<>(series);
            }
            int n = l.size();
            long firstQuarterMax = l.subList(Math.min(2, n), Math.max(Math.min(2, n), n / 4)).stream().mapToLong(x -> x[1]).max().orElse(0);
            long lastQuarterMax = l.subList(3 * n / 4, n).stream().mapToLong(x -> x[1]).max().orElse(0);
            long max = l.stream().mapToLong(x -> x[1]).max().orElse(0);
            long min = l.stream().skip(2).mapToLong(x -> x[1]).min().orElse(0);
            System.out.printf("long stream: %d GiB guest, record ok=%s, %d bytes read (%.2f GiB) in %.1f s = %.0f MB/s%n", gib, e.ok(),
                    e.size(), e.size() / (double) (1L << 30), sec, e.size() / sec / 1e6);
            System.out.printf("plugin VmRSS over %d samples: min %d MiB (after 2 s), max %d MiB; first quarter max %d MiB, last quarter max %d MiB; VmHWM %d MiB%n",
                    n, min / 1024, max / 1024, firstQuarterMax / 1024, lastQuarterMax / 1024, hwm / 1024);
            StringBuilder curve = new StringBuilder("RSS curve (s:MiB):");
            for (int i = 0; i < n; i += Math.max(1, n / 20)) {
                curve.append(' ').append(l.get(i)[0]).append(':').append(l.get(i)[1] / 1024);
            }
            System.out.println(curve);
            if (!e.ok() || e.size() < bytes) {
                System.out.println("FAILED: the stream did not complete: " + s);
                System.exit(1);
            }
        }
    }
}
