package io.plakar.pve.importer.audit;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.plakar.pve.pbs.PbsTypes;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Renders the audit's records: pretty-printed JSON (two-space indent, {@code "key": value},
 * fixed key order, lists sorted) ending with a newline, and the plain-text report. Rendering is
 * deterministic, so a record can be rendered once to learn its size and again when opened.
 */
public final class AuditJson {
    private static final JsonFactory FACTORY = new JsonFactory();
    private static final ObjectMapper MAPPER = new ObjectMapper(FACTORY);

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

    /** Pretty JSON of a tree of maps/lists/scalars (maps keep insertion order), newline-terminated. */
    public static byte[] render(Object tree) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
            try (JsonGenerator g = FACTORY.createGenerator(out)) {
                g.setPrettyPrinter(printer());
                MAPPER.writeValue(g, tree);
            }
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
        PbsTypes.Snapshot s = b.snapshot;
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
            try (JsonGenerator g = FACTORY.createGenerator(out)) {
                g.setPrettyPrinter(printer());
                g.writeStartObject();
                g.writeStringField("datastore", s.store());
                g.writeStringField("namespace", s.ns());
                g.writeStringField("backup_type", s.type());
                g.writeStringField("backup_id", s.id());
                g.writeNumberField("backup_time", s.time());
                g.writeStringField("backup_time_iso", AuditModel.iso(s.time()));
                g.writeBooleanField("in_progress", s.inProgress());
                nullableNumber(g, "size", s.size());
                g.writeArrayFieldStart("files");
                for (PbsTypes.File f : s.files()) {
                    g.writeStartObject();
                    g.writeStringField("filename", f.name());
                    g.writeStringField("crypt_mode", f.cryptMode());
                    nullableNumber(g, "size", f.size());
                    g.writeEndObject();
                }
                g.writeEndArray();
                g.writeStringField("owner", s.owner());
                g.writeBooleanField("protected", s.isProtected());
                g.writeStringField("comment", s.comment());
                if (s.verifyState() == null) {
                    g.writeNullField("verification");
                } else {
                    g.writeObjectFieldStart("verification");
                    g.writeStringField("state", s.verifyState());
                    g.writeStringField("upid", s.verifyUpid());
                    g.writeEndObject();
                }
                g.writeObjectFieldStart("encryption");
                g.writeStringField("mode", encryptionMode(s));
                g.writeStringField("fingerprint", s.fingerprint());
                g.writeEndObject();
                g.writeStringField("node", b.node);
                g.writeStringField("node_source", b.node == null ? null : "client-log");
                g.writeStringField("guest_name", b.guestName);
                g.writeStringField("label", b.label.text);
                g.writeArrayFieldStart("seen_through");
                for (String seen : new TreeSet<>(b.seen())) {
                    g.writeString(seen);
                }
                g.writeEndArray();
                g.writeEndObject();
            }
            out.write('\n');
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void nullableNumber(JsonGenerator g, String name, long v) throws IOException {
        if (v < 0) {
            g.writeNullField(name);
        } else {
            g.writeNumberField(name, v);
        }
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
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("datastore", sd.store);
        PbsTypes.Datastore info = sd.info;
        m.put("comment", info == null ? null : info.comment());
        m.put("maintenance", info == null ? null : info.maintenance());
        m.put("mount_status", info == null ? null : info.mountStatus());
        PbsTypes.Status st = sd.status;
        m.put("backend_type", st != null && st.backendType() != null ? st.backendType()
                : info == null ? null : info.backendType());
        m.put("status_read", st != null);
        m.put("total", st == null ? null : st.total());
        m.put("used", st == null ? null : st.used());
        m.put("avail", st == null ? null : st.avail());
        m.put("used_fraction", st == null || st.total() <= 0 ? null : round((double) st.used() / st.total(), 6));
        PbsTypes.GcStatus gc = st == null ? null : st.gc();
        m.put("dedup_factor", gc == null || gc.dedupFactor() == null ? null : round(gc.dedupFactor(), 3));
        if (gc == null) {
            m.put("gc_status", null);
        } else {
            Map<String, Object> g = new LinkedHashMap<>();
            g.put("upid", gc.upid());
            g.put("last_run", gc.upid() == null ? "never" : "see upid");
            g.put("index_file_count", gc.indexFileCount());
            g.put("index_data_bytes", gc.indexDataBytes());
            g.put("disk_bytes", gc.diskBytes());
            g.put("disk_chunks", gc.diskChunks());
            g.put("removed_bytes", gc.removedBytes());
            g.put("removed_chunks", gc.removedChunks());
            g.put("pending_bytes", gc.pendingBytes());
            g.put("pending_chunks", gc.pendingChunks());
            g.put("removed_bad", gc.removedBad());
            g.put("still_bad", gc.stillBad());
            m.put("gc_status", g);
        }
        if (st == null || st.counts() == null) {
            m.put("counts", null);
        } else {
            Map<String, Object> c = new LinkedHashMap<>();
            for (Map.Entry<String, PbsTypes.TypeCount> e : new TreeMap<>(st.counts()).entrySet()) {
                if (e.getValue() == null) {
                    c.put(e.getKey(), null);
                } else {
                    Map<String, Object> tc = new LinkedHashMap<>();
                    tc.put("groups", e.getValue().groups());
                    tc.put("snapshots", e.getValue().snapshots());
                    c.put(e.getKey(), tc);
                }
            }
            m.put("counts", c);
        }
        m.put("namespace_support", sd.namespaceSupport);
        Map<String, AuditModel.NsStats> nss = r.namespaces.getOrDefault(sd.store, Map.of());
        long snaps = 0;
        long inProg = 0;
        long size = 0;
        for (AuditModel.NsStats n : nss.values()) {
            snaps += n.snapshots;
            inProg += n.inProgress;
            size += n.size;
        }
        m.put("snapshots", snaps);
        m.put("in_progress", inProg);
        m.put("size_bytes", size);
        m.put("namespaces", namespaceList(nss));
        m.put("incomplete", incompleteList(r.input.incomplete, sd.store));
        return render(m);
    }

    private static List<Object> namespaceList(Map<String, AuditModel.NsStats> nss) {
        List<Object> list = new ArrayList<>();
        for (Map.Entry<String, AuditModel.NsStats> e : nss.entrySet()) {
            AuditModel.NsStats n = e.getValue();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("namespace", e.getKey());
            m.put("path", AuditInput.nsPath(e.getKey()));
            m.put("readable", n.readable);
            m.put("groups", n.groups);
            m.put("snapshots", n.snapshots);
            m.put("in_progress", n.inProgress);
            m.put("size_bytes", n.size);
            m.put("vms", n.vms.size());
            m.put("cts", n.cts.size());
            m.put("hosts", n.hosts.size());
            m.put("latest", n.latest);
            m.put("latest_iso", n.latest == null ? null : AuditModel.iso(n.latest));
            list.add(m);
        }
        return list;
    }

    private static List<Object> incompleteList(List<AuditInput.Incomplete> incs, String store) {
        List<Object> list = new ArrayList<>();
        for (AuditInput.Incomplete i : incs) {
            if (store != null && !store.equals(i.datastore())) {
                continue;
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("datastore", i.datastore());
            m.put("namespace", i.namespace());
            m.put("part", i.part());
            m.put("reason", i.reason());
            list.add(m);
        }
        return list;
    }

    private static double round(double v, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }

    // ---------------------------------------------------------------- reports

    public static byte[] summary(AuditModel.Result r) {
        AuditInput in = r.input;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("audit_time", in.auditTime.toString());
        Map<String, Object> src = new LinkedHashMap<>();
        src.put("pbs", in.pbsHost + ":" + in.pbsPort);
        src.put("pbs_version", in.pbsVersion);
        src.put("pbs_node", in.pbsNode);
        src.put("pve", in.pve == null ? null : in.pve.endpoint);
        src.put("pve_cluster", in.pve == null ? null : in.pve.cluster);
        src.put("pve_version", in.pve == null ? null : in.pve.version);
        m.put("source", src);
        List<AuditInput.Incomplete> all = new ArrayList<>(in.incomplete);
        if (in.pve != null) {
            all.addAll(in.pve.incomplete);
        }
        m.put("complete", all.isEmpty());
        m.put("incomplete", incompleteList(all, null));
        m.put("notes", new ArrayList<>(in.notes));

        long snaps = 0;
        long inProg = 0;
        long size = 0;
        long nsCount = 0;
        TreeSet<String> vms = new TreeSet<>();
        TreeSet<String> cts = new TreeSet<>();
        TreeSet<String> hosts = new TreeSet<>();
        List<Object> stores = new ArrayList<>();
        for (AuditInput.StoreData sd : in.stores) {
            Map<String, AuditModel.NsStats> nss = r.namespaces.getOrDefault(sd.store, Map.of());
            AuditModel.StoreTotals totals = AuditModel.StoreTotals.of(nss.values());
            long s1 = totals.snapshots();
            long p1 = totals.inProgress();
            long z1 = totals.size();
            nsCount += nss.size();
            snaps += s1;
            inProg += p1;
            size += z1;
            Map<String, Object> sm = new LinkedHashMap<>();
            sm.put("datastore", sd.store);
            sm.put("namespace_support", sd.namespaceSupport);
            sm.put("snapshots", s1);
            sm.put("in_progress", p1);
            sm.put("size_bytes", z1);
            sm.put("namespaces", namespaceList(nss));
            stores.add(sm);
        }
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
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("datastores", in.stores.size());
        t.put("namespaces", nsCount);
        t.put("snapshots", snaps);
        t.put("snapshots_complete", snaps - inProg);
        t.put("snapshots_in_progress", inProg);
        t.put("size_bytes", size);
        t.put("distinct_backups", r.backups.size());
        t.put("pbs", r.count(AuditModel.Label.PBS));
        t.put("pbs_via_pve", r.count(AuditModel.Label.PBS_VIA_PVE));
        t.put("pve", r.count(AuditModel.Label.PVE));
        t.put("pve_only_size_bytes", pveSize);
        t.put("unique_vms", vms.size());
        t.put("unique_cts", cts.size());
        t.put("unique_hosts", hosts.size());
        t.put("collisions_critical", r.collisions("critical"));
        t.put("collisions_warning", r.collisions("warning"));
        m.put("totals", t);
        m.put("datastores", stores);
        return render(m);
    }

    public static byte[] collisions(AuditModel.Result r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("critical", r.collisions("critical"));
        m.put("warning", r.collisions("warning"));
        List<Object> list = new ArrayList<>();
        for (AuditModel.Collision c : r.collisions) {
            Map<String, Object> cm = new LinkedHashMap<>();
            cm.put("type", c.type());
            cm.put("id", c.id());
            cm.put("severity", c.severity());
            cm.put("reasons", c.reasons());
            List<Object> locs = new ArrayList<>();
            for (AuditModel.Location l : c.locations()) {
                Map<String, Object> lm = new LinkedHashMap<>();
                lm.put("location", l.location());
                lm.put("datastore", l.store());
                lm.put("namespace", l.ns());
                lm.put("snapshots", l.snapshots());
                lm.put("in_progress", l.inProgress());
                lm.put("nodes", new ArrayList<>(l.nodes()));
                lm.put("guest_names", new ArrayList<>(l.guestNames()));
                lm.put("latest", l.latest());
                lm.put("latest_iso", l.latest() == null ? null : AuditModel.iso(l.latest()));
                locs.add(lm);
            }
            cm.put("locations", locs);
            list.add(cm);
        }
        m.put("collisions", list);
        return render(m);
    }

    public static byte[] duplicates(AuditModel.Result r) {
        Map<String, Object> m = new LinkedHashMap<>();
        Map<String, Object> raw = new LinkedHashMap<>();
        raw.put("total", r.rawPbs + r.rawPve);
        raw.put("pbs", r.rawPbs);
        raw.put("pve", r.rawPve);
        raw.put("by_source", new LinkedHashMap<>(r.raw));
        m.put("raw", raw);
        Map<String, Object> dd = new LinkedHashMap<>();
        dd.put("total", r.backups.size());
        dd.put("pbs", r.count(AuditModel.Label.PBS));
        dd.put("pbs_via_pve", r.count(AuditModel.Label.PBS_VIA_PVE));
        dd.put("pve", r.count(AuditModel.Label.PVE));
        // distinct backups per source: a backup merged from several sources counts once in each
        Map<String, Long> bySource = new TreeMap<>();
        for (AuditModel.Backup b : r.backups) {
            for (String s : new TreeSet<>(b.seen())) {
                bySource.merge(s, 1L, Long::sum);
            }
        }
        dd.put("by_source", bySource);
        m.put("deduplicated", dd);
        m.put("removed", r.rawPbs + r.rawPve - r.backups.size());
        List<AuditModel.Backup> merged = new ArrayList<>(r.merged);
        merged.sort(java.util.Comparator.comparing(AuditModel.Backup::key));
        List<Object> list = new ArrayList<>();
        for (AuditModel.Backup b : merged) {
            Map<String, Object> bm = new LinkedHashMap<>();
            bm.put("key", b.key());
            bm.put("label", b.label.text);
            bm.put("type", b.type);
            bm.put("id", b.id);
            bm.put("time", b.time);
            bm.put("time_iso", AuditModel.iso(b.time));
            bm.put("reason", mergeReason(b));
            bm.put("count", b.seenCount());
            List<String> seen = new ArrayList<>(b.seen());
            seen.sort(null);
            bm.put("seen_through", seen);
            list.add(bm);
        }
        m.put("merged", list);
        return render(m);
    }

    private static String mergeReason(AuditModel.Backup b) {
        boolean pbs = false;
        long pve = 0;
        for (String s : b.seen()) {
            if (s.startsWith("pbs:")) {
                pbs = true;
            } else {
                pve++;
            }
        }
        if (pbs) {
            return "PBS snapshot also listed through PVE storage";
        }
        if (b.label == AuditModel.Label.PBS_VIA_PVE) {
            return "PBS storage listed by " + pve + " PVE nodes";
        }
        return "shared storage listed by " + pve + " nodes (same volid)";
    }

    /** Streamed guest by guest: a tree of every guest at once would not fit a small heap. */
    public static byte[] guests(AuditModel.Result r) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(1 << 16);
        guests(r, out);
        return out.toByteArray();
    }

    /** guests.json written to a stream (it grows with the number of backups: tens of MiB per 100k). */
    public static void guests(AuditModel.Result r, java.io.OutputStream out) {
        try {
            try (JsonGenerator gen = FACTORY.createGenerator(out)) {
                gen.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
                gen.setPrettyPrinter(printer());
                gen.writeStartObject();
                gen.writeNumberField("count", r.guests.size());
                gen.writeArrayFieldStart("guests");
                for (AuditModel.Guest g : r.guests.values()) {
                    MAPPER.writeValue(gen, guest(g));
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

    private static Map<String, Object> guest(AuditModel.Guest g) {
        {
            Map<String, Object> gm = new LinkedHashMap<>();
            gm.put("type", g.type);
            gm.put("id", g.id);
            gm.put("name", g.name);
            gm.put("node", g.node);
            gm.put("backups", g.backups);
            gm.put("in_progress", g.inProgress);
            gm.put("collision", g.collision);
            gm.put("labels", new ArrayList<>(g.labels));
            gm.put("locations", new ArrayList<>(g.locations));
            gm.put("latest", time(g.latest));
            Map<String, Object> bySrc = new LinkedHashMap<>();
            for (String s : List.of("pbs", "pve", "snapshots")) {
                bySrc.put(s, time(g.latestBySource.get(s)));
            }
            gm.put("latest_by_source", bySrc);
            List<Object> dates = new ArrayList<>();
            for (Map.Entry<LocalDate, TreeMap<String, List<Long>>> d : g.dates.entrySet()) {
                Map<String, Object> dm = new LinkedHashMap<>();
                dm.put("date", d.getKey().toString());
                long count = 0;
                for (List<Long> l : d.getValue().values()) {
                    count += l.size();
                }
                dm.put("count", count);
                dm.put("sources", new ArrayList<>(d.getValue().keySet()));
                Map<String, Object> ts = new LinkedHashMap<>();
                for (Map.Entry<String, List<Long>> e : d.getValue().entrySet()) {
                    List<Object> times = new ArrayList<>();
                    for (Long t : e.getValue()) {
                        times.add(AuditModel.iso(t));
                    }
                    ts.put(e.getKey(), times);
                }
                dm.put("timestamps", ts);
                dates.add(dm);
            }
            gm.put("backup_dates", dates);
            return gm;
        }
    }

    private static Object time(Long t) {
        if (t == null) {
            return null;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("epoch", t);
        m.put("iso", AuditModel.iso(t));
        return m;
    }
}
