package io.plakar.pve.tools.bench;

import io.plakar.pve.importer.audit.AuditInput;
import io.plakar.pve.importer.audit.AuditJson;
import io.plakar.pve.importer.audit.AuditReportText;
import io.plakar.pve.importer.audit.AuditModel;
import io.plakar.pve.importer.audit.PbsAuditConfig;
import io.plakar.pve.importer.audit.PbsAuditImporter;
import io.plakar.pve.importer.audit.api.PbsTypes;
import io.plakar.pve.sdk.Record;
import io.plakar.pve.sdk.RecordSink;
import io.plakar.pve.testkit.pbs.BenchScenario;
import io.plakar.pve.testkit.pbs.FakePbs;
import io.plakar.pve.testkit.pbs.Snap;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code make bench-audit}: a generated PBS of N snapshots (default 1,000,000) over 100
 * namespaces and 5 datastores, served by the fake HTTPS server in this JVM.
 *
 * <ol>
 * <li>model alone: the same data built straight into an {@link AuditInput}, then
 *     {@link AuditModel#build} timed, heap retained measured after GC;</li>
 * <li>end to end: the importer's full scan against the server (every record emitted with
 *     its size, i.e. every per-snapshot JSON rendered once), requests/s, peak RSS.</li>
 * </ol>
 * Usage: {@code AuditBench [snapshots]}; run with {@code -Xmx1g} to check the heap goal.
 */
public final class AuditBench {
    private AuditBench() {
    }

    public static void main(String[] args) throws Exception {
        int total = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int stores = 5;
        int namespaces = 100;
        System.out.printf("pbs+audit bench: %,d snapshots, %d namespaces, %d datastores, max heap %d MiB%n",
                total, namespaces, stores, Runtime.getRuntime().maxMemory() >> 20);

        // 1. the model alone
        AuditInput in = new AuditInput();
        in.auditTime = Instant.ofEpochSecond(BenchScenario.BASE + 30 * 86400L);
        in.pbsHost = "bench";
        int nsPerStore = namespaces / stores;
        int perNs = total / namespaces;
        int guests = Math.max(1, perNs / BenchScenario.PER_GUEST);
        io.plakar.pve.importer.audit.api.Interner interner = new io.plakar.pve.importer.audit.api.Interner();
        for (int s = 0; s < stores; s++) {
            AuditInput.StoreData sd = new AuditInput.StoreData(BenchScenario.storeName(s));
            sd.namespaces.add("");
            for (int n = 0; n < nsPerStore; n++) {
                int nsIndex = s * nsPerStore + n;
                String ns = BenchScenario.nsName(nsIndex);
                sd.namespaces.add(ns);
                BenchScenario.generate(nsIndex, perNs, guests, sn -> sd.snapshots.add(convert(sd.store, ns, sn, interner)));
            }
            in.stores.add(sd);
        }
        gc();
        long heapInput = used();
        long t0 = System.nanoTime();
        AuditModel.Result r = AuditModel.build(in);
        long modelNanos = System.nanoTime() - t0;
        gc();
        long heapModel = used();
        System.out.printf("model alone: build %.2f s, heap retained: input %d MiB, input+model %d MiB%n",
                modelNanos / 1e9, heapInput >> 20, heapModel >> 20);
        long t1 = System.nanoTime();
        long[] guestBytes = new long[1];
        AuditJson.guests(r, new java.io.OutputStream() {
            @Override
            public void write(int b) {
                guestBytes[0]++;
            }

            @Override
            public void write(byte[] b, int off, int len) {
                guestBytes[0] += len;
            }
        });
        long reportBytes = AuditJson.summary(r).length + AuditJson.collisions(r).length + AuditJson.duplicates(r).length
                + guestBytes[0] + AuditReportText.render(r).length;
        long reportNanos = System.nanoTime() - t1;
        System.out.printf("model alone: build %.2f s; reports %.2f s (%,d bytes); heap: input %d MiB, input+model %d MiB;"
                        + " %,d backups, %,d guests, %d collisions%n",
                modelNanos / 1e9, reportNanos / 1e9, reportBytes, heapInput >> 20, heapModel >> 20, r.backups.size(),
                r.guests.size(), r.collisions.size());
        in = null;
        r = null;
        gc();

        // 2. end to end through the HTTPS fake
        try (FakePbs pbs = new FakePbs("bench@pbs!t", "secret")) {
            BenchScenario.install(pbs, stores, namespaces, total);
            pbs.start();
            Map<String, String> cfg = new LinkedHashMap<>();
            cfg.put("location", "pbs+audit://127.0.0.1:" + pbs.port());
            cfg.put("token_id", "bench@pbs!t");
            cfg.put("token_secret", "secret");
            cfg.put("fingerprint", pbs.fingerprint());
            cfg.put("read_logs", "none");
            long[] count = new long[2];
            List<String> sample = new ArrayList<>();
            long e0 = System.nanoTime();
            try (PbsAuditImporter imp = new PbsAuditImporter(PbsAuditConfig.parse(cfg), Clock.systemUTC())) {
                imp.scan(new RecordSink() {
                    @Override
                    public void emit(Record record) {
                        if (record.hasError()) {
                            System.out.println("FAILED RECORD " + record.pathname() + ": " + record.error());
                            return;
                        }
                        count[0]++;
                        count[1] += record.fileInfo().size();
                        if (count[0] % 100_000 == 1) {
                            sample.add(record.pathname());
                        }
                    }

                    @Override
                    public boolean cancelled() {
                        return false;
                    }
                });
                long e2e = System.nanoTime() - e0;
                long o0 = System.nanoTime();
                long opened = 0;
                for (String p : sample) {
                    try (InputStream is = imp.open(p)) {
                        opened += is.readAllBytes().length;
                    }
                }
                long openNanos = System.nanoTime() - o0;
                double secs = e2e / 1e9;
                System.out.printf("end to end: %.2f s, %,d records (%,d bytes of JSON), %d requests (%.1f requests/s,"
                                + " %,.0f snapshots/s); open of %d sample records %.1f ms (%,d bytes)%n",
                        secs, count[0], count[1], pbs.requestCount(), pbs.requestCount() / secs, total / secs,
                        sample.size(), openNanos / 1e6, opened);
            }
        }
        System.out.printf("peak RSS of this JVM (client + fake server): %d MiB%n", peakRssKiB() >> 10);
    }

    private static PbsTypes.Snapshot convert(String store, String ns, Snap s, io.plakar.pve.importer.audit.api.Interner in) {
        List<PbsTypes.File> files = new ArrayList<>(s.files.size());
        for (Snap.File f : s.files) {
            files.add(new PbsTypes.File(in.intern(f.name()), in.intern(f.cryptMode()), f.size() == null ? -1 : f.size()));
        }
        if (s.hasLog) {
            files.add(new PbsTypes.File(in.intern("client.log.blob"), null, -1));
        }
        return new PbsTypes.Snapshot(in.intern(store), in.intern(ns), in.intern(s.type), s.id, s.time,
                s.size() == null ? -1 : s.size(), List.copyOf(files), in.intern(s.owner), s.isProtected, s.comment,
                in.intern(s.verifyState), in.intern(s.verifyUpid), s.fingerprint);
    }

    private static void gc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
    }

    private static long used() {
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }

    private static long peakRssKiB() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (l.startsWith("VmHWM:")) {
                    return Long.parseLong(l.replaceAll("[^0-9]", ""));
                }
            }
        } catch (Exception ignored) {
            // not Linux
        }
        return -1;
    }
}
