package io.plakar.pve.importer.audit;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import io.plakar.pve.importer.audit.api.PbsTypes;
import io.plakar.pve.importer.audit.api.Task;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.io.ByteArrayOutputStream;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Renders the audit's JSON records from {@link AuditDocs} records by Jackson data binding:
 * pretty-printed (two-space indent, {@code "key": value}), lists sorted, newline-terminated.
 * Rendering is deterministic, so a record can be rendered once to learn its size and again
 * when opened.
 */
public final class AuditJson {
    static final ObjectMapper MAPPER = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);
    private static final ObjectWriter WRITER = MAPPER.writer(printer());

    private AuditJson() {
    }

    private static DefaultPrettyPrinter printer() {
        DefaultIndenter ind = new DefaultIndenter("  ", "\n");
        DefaultPrettyPrinter pp = new DefaultPrettyPrinter()
                .withSeparators(Separators.createDefaultInstance()
                        .withObjectFieldValueSpacing(Separators.Spacing.AFTER));
        pp.indentArraysWith(ind);
        pp.indentObjectsWith(ind);
        return pp;
    }

    /** Pretty JSON of a record, newline-terminated. */
    public static byte[] render(Object doc) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
            WRITER.writeValue(out, doc);
            out.write('\n');
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---------------------------------------------------------------- paths

    public static String snapshotPath(AuditModel.Backup b) {
        return "/datastores/" + b.store + "/ns/" + AuditInput.nsPath(b.ns) + "/" + b.type + "/" + b.id + "/"
                + AuditModel.iso(b.time) + ".json";
    }

    public static String statusPath(String store) {
        return "/datastores/" + store + "/status.json";
    }

    // ---------------------------------------------------------------- per snapshot

    /** The metadata of one PBS snapshot (label PBS), with what else is known about it. */
    public static byte[] snapshot(AuditModel.Backup b) {
        return render(snapshotDoc(b));
    }

    static AuditDocs.Snapshot snapshotDoc(AuditModel.Backup b) {
        PbsTypes.Snapshot s = b.snapshot;
        List<AuditDocs.SnapshotFile> files = new ArrayList<>(s.files().size());
        for (PbsTypes.File f : s.files()) {
            files.add(new AuditDocs.SnapshotFile(f.name(), f.cryptMode(), sizeOrNull(f.size())));
        }
        AuditDocs.Verification v = s.verifyState() == null ? null : new AuditDocs.Verification(s.verifyState(), s.verifyUpid());
        return new AuditDocs.Snapshot(s.store(), s.ns(), s.type(), s.id(), s.time(), AuditModel.iso(s.time()),
                s.inProgress(), sizeOrNull(s.size()), files, s.owner(), s.isProtected(), s.comment(), v,
                new AuditDocs.Encryption(encryptionMode(s), s.fingerprint()), b.node,
                b.node == null ? null : "client-log", b.guestName, b.label.text, new ArrayList<>(new TreeSet<>(b.seen())));
    }

    private static Long sizeOrNull(long v) {
        return v < 0 ? null : v;
    }

    /**
     * {@code none}, {@code encrypt}, {@code sign-only} or {@code mixed} over the archives
     * (the manifest {@code index.json.blob} and the unsigned client log are not archives);
     * null when PBS gave no crypt modes.
     */
    static String encryptionMode(PbsTypes.Snapshot s) {
        String mode = null;
        for (PbsTypes.File f : s.files()) {
            if (f.cryptMode() == null || f.name().equals("index.json.blob") || f.name().equals("client.log.blob")) {
                continue;
            }
            if (mode == null) {
                mode = f.cryptMode();
            } else if (!mode.equals(f.cryptMode())) {
                return "mixed";
            }
        }
        return mode;
    }

    // ---------------------------------------------------------------- datastore status

    public static byte[] status(AuditModel.Result r, AuditInput.StoreData sd) {
        PbsTypes.Datastore info = sd.info;
        PbsTypes.Status st = sd.status;
        PbsTypes.GcStatus gc = st == null ? null : st.gc();
        AuditDocs.GcStatus gcDoc = gc == null ? null : new AuditDocs.GcStatus(gc.upid(), gc.upid() == null ? "never" : "see upid",
                gc.indexFileCount(), gc.indexDataBytes(), gc.diskBytes(), gc.diskChunks(), gc.removedBytes(),
                gc.removedChunks(), gc.pendingBytes(), gc.pendingChunks(), gc.removedBad(), gc.stillBad());
        Map<String, AuditDocs.TypeCount> counts = null;
        if (st != null && st.counts() != null) {
            counts = new LinkedHashMap<>();
            for (Map.Entry<String, PbsTypes.TypeCount> e : new TreeMap<>(st.counts()).entrySet()) {
                PbsTypes.TypeCount tc = e.getValue();
                counts.put(e.getKey(), tc == null ? null : new AuditDocs.TypeCount(tc.groups(), tc.snapshots()));
            }
        }
        Map<String, AuditModel.NsStats> nss = r.namespaces.getOrDefault(sd.store, Map.of());
        AuditModel.StoreTotals totals = AuditModel.StoreTotals.of(nss.values());
        return render(new AuditDocs.Status(sd.store,
                info == null ? null : info.comment(),
                info == null ? null : info.maintenance(),
                info == null ? null : info.mountStatus(),
                st != null && st.backendType() != null ? st.backendType() : info == null ? null : info.backendType(),
                st != null,
                st == null ? null : st.total(),
                st == null ? null : st.used(),
                st == null ? null : st.avail(),
                st == null || st.total() <= 0 ? null : round((double) st.used() / st.total(), 6),
                gc == null || gc.dedupFactor() == null ? null : round(gc.dedupFactor(), 3),
                gcDoc, counts, sd.namespaceSupport, totals.snapshots(), totals.inProgress(), totals.size(),
                namespaceList(nss), incompleteList(r.input.incomplete, sd.store)));
    }

    private static List<AuditDocs.Namespace> namespaceList(Map<String, AuditModel.NsStats> nss) {
        List<AuditDocs.Namespace> list = new ArrayList<>();
        for (Map.Entry<String, AuditModel.NsStats> e : nss.entrySet()) {
            AuditModel.NsStats n = e.getValue();
            list.add(new AuditDocs.Namespace(e.getKey(), AuditInput.nsPath(e.getKey()), n.readable, n.groups, n.snapshots,
                    n.inProgress, n.size, n.vms.size(), n.cts.size(), n.hosts.size(), n.latest,
                    n.latest == null ? null : AuditModel.iso(n.latest)));
        }
        return list;
    }

    static List<AuditDocs.Incomplete> incompleteList(List<AuditInput.Incomplete> incs, String store) {
        List<AuditDocs.Incomplete> list = new ArrayList<>();
        for (AuditInput.Incomplete i : incs) {
            if (store == null || store.equals(i.datastore())) {
                list.add(new AuditDocs.Incomplete(i.datastore(), i.namespace(), i.part(), i.reason()));
            }
        }
        return list;
    }

    private static double round(double v, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }

    // ---------------------------------------------------------------- reports

    public static byte[] summary(AuditModel.Result r) {
        return render(summaryDoc(r));
    }

    static AuditDocs.Summary summaryDoc(AuditModel.Result r) {
        AuditInput in = r.input;
        AuditDocs.Source src = new AuditDocs.Source(in.pbsHost + ":" + in.pbsPort, in.pbsVersion, in.pbsNode,
                in.pve == null ? null : in.pve.endpoint, in.pve == null ? null : in.pve.cluster,
                in.pve == null ? null : in.pve.version);
        List<AuditInput.Incomplete> all = r.allIncomplete();

        long snaps = 0;
        long inProg = 0;
        long size = 0;
        long nsCount = 0;
        List<AuditDocs.StoreSummary> stores = new ArrayList<>();
        for (AuditInput.StoreData sd : in.stores) {
            Map<String, AuditModel.NsStats> nss = r.namespaces.getOrDefault(sd.store, Map.of());
            AuditModel.StoreTotals t = AuditModel.StoreTotals.of(nss.values());
            nsCount += nss.size();
            snaps += t.snapshots();
            inProg += t.inProgress();
            size += t.size();
            stores.add(new AuditDocs.StoreSummary(sd.store, sd.namespaceSupport, t.snapshots(), t.inProgress(), t.size(),
                    namespaceList(nss)));
        }
        TreeSet<String> vms = new TreeSet<>();
        TreeSet<String> cts = new TreeSet<>();
        TreeSet<String> hosts = new TreeSet<>();
        long pveSize = 0;
        for (AuditModel.Backup b : r.backups) {
            switch (b.type) {
                case "vm" -> vms.add(b.id);
                case "ct" -> cts.add(b.id);
                case "host" -> hosts.add(b.id);
                default -> {
                }
            }
            if (b.label != AuditModel.Label.PBS && b.size > 0) {
                pveSize += b.size;
            }
        }
        AuditDocs.Totals totals = new AuditDocs.Totals(in.stores.size(), nsCount, snaps, snaps - inProg, inProg, size,
                r.backups.size(), r.count(AuditModel.Label.PBS), r.count(AuditModel.Label.PBS_VIA_PVE),
                r.count(AuditModel.Label.PVE), pveSize, vms.size(), cts.size(), hosts.size(),
                r.collisions("critical"), r.collisions("warning"));
        AuditDocs.ProblemList problems = new AuditDocs.ProblemList(Problems.count(r, Problems.CRITICAL),
                Problems.count(r, Problems.WARNING), Problems.count(r, Problems.INFO), r.problems);
        List<AuditDocs.CollisionRef> collisions = new ArrayList<>();
        for (AuditModel.Collision c : r.collisions) {
            collisions.add(new AuditDocs.CollisionRef(c.type() + "/" + c.id(), c.severity()));
        }
        return new AuditDocs.Summary(in.auditTime.toString(), Problems.verdict(r), src, all.isEmpty(),
                incompleteList(all, null), new ArrayList<>(in.notes), totals, problems, coverageDoc(r), collisions,
                identity(r), r.changes, stores);
    }

    static AuditDocs.CoverageDoc coverageDoc(AuditModel.Result r) {
        Map<String, Long> counts = new java.util.HashMap<>();
        List<AuditDocs.CoverageGuest> guests = new ArrayList<>(r.guests.size());
        for (AuditModel.Guest g : r.guests.values()) {
            counts.merge(g.status, 1L, Long::sum);
            guests.add(new AuditDocs.CoverageGuest(g.type + "/" + g.id, g.name, g.status, g.excludedBy,
                    AuditDocs.Time.of(g.latestBackup), Coverage.age(r, g), g.backups, g.copies.size(),
                    g.lastGoodDrill == null ? null : AuditDocs.Time.of(g.lastGoodDrill.time())));
        }
        return new AuditDocs.CoverageDoc(r.input.policy.maxAge().toSeconds(), counts.getOrDefault(Coverage.OK, 0L),
                counts.getOrDefault(Coverage.STALE, 0L), counts.getOrDefault(Coverage.NEVER, 0L),
                counts.getOrDefault(Coverage.EXCLUDED, 0L), counts.getOrDefault(Coverage.ORPHANED, 0L), guests);
    }

    private static AuditDocs.Identity identity(AuditModel.Result r) {
        Map<String, String> others = new TreeMap<>();
        if (r.input.pve != null) {
            for (var c : r.input.pve.pbsConfigs.values()) {
                if (!r.storageIdentity.containsKey(c.storage())) {
                    others.put(c.storage(), c.server() + ":" + c.port() + (c.fingerprint() == null ? ""
                            : " (certificate " + AuditModel.abbreviate(c.fingerprint()) + ")"));
                }
            }
        }
        return new AuditDocs.Identity(r.input.pbsFingerprint, new TreeMap<>(r.storageIdentity), others);
    }

    public static byte[] collisions(AuditModel.Result r) {
        List<AuditDocs.Collision> list = new ArrayList<>();
        for (AuditModel.Collision c : r.collisions) {
            List<AuditDocs.CollisionLocation> locs = new ArrayList<>();
            for (AuditModel.Location l : c.locations()) {
                locs.add(new AuditDocs.CollisionLocation(l.location(), l.store(), l.ns(), l.snapshots(), l.inProgress(),
                        new ArrayList<>(l.nodes()), new ArrayList<>(l.guestNames()), l.latest(),
                        l.latest() == null ? null : AuditModel.iso(l.latest())));
            }
            list.add(new AuditDocs.Collision(c.type(), c.id(), c.severity(), c.reasons(), locs));
        }
        return render(new AuditDocs.Collisions(r.collisions("critical"), r.collisions("warning"), list));
    }

    public static byte[] duplicates(AuditModel.Result r) {
        AuditDocs.Raw raw = new AuditDocs.Raw(r.rawPbs + r.rawPve, r.rawPbs, r.rawPve, new LinkedHashMap<>(r.raw));
        // distinct backups per source: a backup merged from several sources counts once in each
        Map<String, Long> bySource = new TreeMap<>();
        for (AuditModel.Backup b : r.backups) {
            for (String s : new TreeSet<>(b.seen())) {
                bySource.merge(s, 1L, Long::sum);
            }
        }
        AuditDocs.Deduplicated dd = new AuditDocs.Deduplicated(r.backups.size(), r.count(AuditModel.Label.PBS),
                r.count(AuditModel.Label.PBS_VIA_PVE), r.count(AuditModel.Label.PVE), bySource);
        List<AuditModel.Backup> merged = new ArrayList<>(r.merged);
        merged.sort(Comparator.comparing(AuditModel.Backup::key));
        List<AuditDocs.Merged> list = new ArrayList<>();
        for (AuditModel.Backup b : merged) {
            List<String> seen = new ArrayList<>(b.seen());
            seen.sort(null);
            list.add(new AuditDocs.Merged(b.key(), b.label.text, b.type, b.id, b.time, AuditModel.iso(b.time),
                    mergeReason(r, b), b.seenCount(), seen));
        }
        return render(new AuditDocs.Duplicates(raw, dd, r.rawPbs + r.rawPve - r.backups.size(), list));
    }

    /** Why the sightings of one backup were merged, naming the rule that identified them. */
    static String mergeReason(AuditModel.Result r, AuditModel.Backup b) {
        boolean pbs = false;
        long pve = 0;
        TreeSet<String> storages = new TreeSet<>();
        for (String s : b.seen()) {
            if (s.startsWith("pbs:")) {
                pbs = true;
            } else {
                pve++;
                storages.add(s.substring(s.lastIndexOf('/') + 1));
            }
        }
        if (pbs) {
            List<String> why = new ArrayList<>();
            for (String st : storages) {
                why.add(st + ": " + r.storageIdentity.getOrDefault(st, "same server"));
            }
            return "PBS snapshot also listed through PVE storage " + String.join(", ", storages)
                    + " (same datastore, namespace, type, id and backup time; " + String.join("; ", why) + ")";
        }
        if (b.label == AuditModel.Label.PBS_VIA_PVE) {
            return "PBS storage listed by " + pve + " PVE nodes";
        }
        return "shared storage listed by " + pve + " nodes (same volid)";
    }

    /** guests.json in memory (tests, small audits). */
    public static byte[] guests(AuditModel.Result r) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(1 << 16);
        guests(r, out);
        return out.toByteArray();
    }

    /**
     * guests.json written guest by guest to a stream: it grows with the number of backups (tens
     * of MiB per 100k) and a tree of every guest at once would not fit a small heap.
     */
    public static void guests(AuditModel.Result r, OutputStream out) {
        try {
            try (JsonGenerator gen = WRITER.createGenerator(out)) {
                gen.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
                gen.writeStartObject();
                gen.writeNumberField("count", r.guests.size());
                gen.writeArrayFieldStart("guests");
                for (AuditModel.Guest g : r.guests.values()) {
                    WRITER.writeValue(gen, guestDoc(r, g));
                }
                gen.writeEndArray();
                gen.writeEndObject();
            }
            out.write('\n');
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static AuditDocs.Guest guestDoc(AuditModel.Result r, AuditModel.Guest g) {
        Long age = Coverage.age(r, g);
        List<AuditDocs.BackupDate> dates = new ArrayList<>();
        for (Map.Entry<LocalDate, TreeMap<String, List<Long>>> d : g.dates.entrySet()) {
            long count = 0;
            Map<String, List<String>> ts = new LinkedHashMap<>();
            for (Map.Entry<String, List<Long>> e : d.getValue().entrySet()) {
                count += e.getValue().size();
                List<String> times = new ArrayList<>(e.getValue().size());
                for (Long t : e.getValue()) {
                    times.add(AuditModel.iso(t));
                }
                ts.put(e.getKey(), times);
            }
            dates.add(new AuditDocs.BackupDate(d.getKey().toString(), count, new ArrayList<>(d.getValue().keySet()), ts));
        }
        List<AuditDocs.Copy> copies = new ArrayList<>(g.copies.size());
        g.copies.forEach((place, t) -> copies.add(new AuditDocs.Copy(place, AuditDocs.Time.of(t))));
        Task t = g.lastTask;
        AuditDocs.TaskDoc task = t == null ? null : new AuditDocs.TaskDoc(t.type(), t.node(), t.workerId(),
                AuditDocs.Time.of(t.start()), AuditDocs.Time.of(t.end()), t.status(), t.succeeded());
        return new AuditDocs.Guest(g.type, g.id, g.name, g.node, g.backups, g.inProgress, g.collision,
                new ArrayList<>(g.labels), new ArrayList<>(g.locations), AuditDocs.Time.of(g.latest),
                new AuditDocs.LatestBySource(AuditDocs.Time.of(g.latestBySource.get("pbs")),
                        AuditDocs.Time.of(g.latestBySource.get("pve")), AuditDocs.Time.of(g.latestBySource.get("snapshots"))),
                g.status, g.excludedBy, AuditDocs.Time.of(g.latestBackup), age, copies,
                new AuditDocs.GuestVerification(g.newestPbsVerifyState, AuditDocs.Time.of(g.newestVerified)), task,
                drill(g.lastGoodDrill), drill(g.lastDrill), dates);
    }

    private static AuditDocs.DrillDoc drill(DrillResult d) {
        return d == null ? null : new AuditDocs.DrillDoc(d.dump(), d.snapshot(), d.passed() ? "pass" : "fail", d.phase(),
                AuditDocs.Time.of(d.time()));
    }
}
