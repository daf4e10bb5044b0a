package io.plakar.pve.importer.audit;

import io.plakar.pve.importer.audit.api.PbsTypes;
import io.plakar.pve.importer.audit.api.PveTypes;
import io.plakar.pve.importer.audit.api.Task;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The audit model: pure, no I/O. Turns what was read from PBS (and optionally one PVE
 * cluster) into distinct backups, collisions, duplicates and per-guest latest times.
 *
 * <ul>
 * <li>One {@link Backup} per distinct backup, with every place it was seen ("sightings").
 *     PBS is authoritative for what it holds: a PVE {@code pbs} storage entry that maps to a
 *     snapshot PBS listed is merged into it (label {@code PBS}); one PBS listed nowhere
 *     directly is {@code PBS via PVE}; ordinary vzdump files are {@code PVE}.</li>
 * <li>Shared storage listed by several nodes is counted once, by volid.</li>
 * <li>A snapshot without a size is still in progress: shown, never a guest's latest.</li>
 * <li>Collisions: same type+id in more than one place. {@code critical}: in a root namespace
 *     written from different nodes (or different guests by name, or different clusters);
 *     {@code warning}: in different namespaces.</li>
 * </ul>
 */
public final class AuditModel {
    private AuditModel() {
    }

    public enum Label {
        PBS("PBS"), PBS_VIA_PVE("PBS via PVE"), PVE("PVE");

        public final String text;

        Label(String text) {
            this.text = text;
        }
    }

    /** One distinct backup. */
    public static final class Backup {
        private final String key;
        public final Label label;
        public final String type;
        public final String id;
        public final long time;
        /** Bytes, or -1 when unknown (in progress). */
        public final long size;
        public final boolean inProgress;
        /** The PBS snapshot (label PBS only). */
        public final PbsTypes.Snapshot snapshot;
        /** PBS location: the datastore and namespace ("" = root); null for PVE files. */
        public final String store;
        public final String ns;
        /** The PBS server when it is not the audited one (PBS via PVE to another PBS). */
        public final String remote;
        /** The PVE volume id (first sighting), or null. */
        public final String volid;
        public String node;
        public String guestName;
        /** Verification state PVE reported for a PBS backup seen only through it (PBS ones: in the snapshot). */
        String viaPveVerifyState;
        /** Where a vzdump file lies, e.g. {@code pve:lab/nas} or {@code pve:lab/pve1/local}; null for PBS. */
        String pvePlace;
        /** Places beyond the first; null until merged (saves memory for a million PBS snapshots). */
        private List<String> more;

        public Backup(String key, Label label, String type, String id, long time, long size, boolean inProgress,
               PbsTypes.Snapshot snapshot, String store, String ns, String remote, String volid) {
            this.key = key;
            this.label = label;
            this.type = type;
            this.id = id;
            this.time = time;
            this.size = size;
            this.inProgress = inProgress;
            this.snapshot = snapshot;
            this.store = store;
            this.ns = ns;
            this.remote = remote;
            this.volid = volid;
        }

        /** The identity used for merging ("pbs:store:ns:type/id/time", "pve:cluster:volid"…). */
        public String key() {
            return key != null ? key : pbsKey(store, ns, type, id, time);
        }

        /** Every place this backup was listed, e.g. {@code pbs:store1/@root}, {@code pve:lab/pve1/nas}. */
        public List<String> seen() {
            List<String> out = new ArrayList<>(1 + (more == null ? 0 : more.size()));
            if (label == Label.PBS) {
                out.add("pbs:" + store + "/" + AuditInput.nsPath(ns));
            }
            if (more != null) {
                out.addAll(more);
            }
            return out;
        }

        public int seenCount() {
            return (label == Label.PBS ? 1 : 0) + (more == null ? 0 : more.size());
        }

        void addSeen(String s) {
            if (more == null) {
                more = new ArrayList<>(2);
            }
            more.add(s);
        }

        /** Where it lives, e.g. {@code store1:pve-lab}, {@code store1:@root}, {@code pbs2:8007/store9:@root}. */
        public String location() {
            if (store == null) {
                return null;
            }
            return (remote == null ? "" : remote + "/") + store + ":" + AuditInput.nsPath(ns);
        }

        /** {@code ok}, {@code failed}, or null when never verified (and for vzdump files). */
        public String verifyState() {
            return snapshot != null ? snapshot.verifyState() : viaPveVerifyState;
        }

        /**
         * The place holding this backup, one per copy: {@code pbs:<store>/<ns>} on the audited
         * server, {@code pbs:<server>/<store>/<ns>} on another PBS, {@code pve:…} for vzdump files.
         */
        public String place() {
            if (store == null) {
                return pvePlace;
            }
            return "pbs:" + (remote == null ? "" : remote + "/") + store + "/" + AuditInput.nsPath(ns);
        }

        /** The source family for per-source latest times: {@code pbs} or {@code pve}. */
        public String source() {
            return label == Label.PVE ? "pve" : "pbs";
        }
    }

    public record Location(String location, String store, String ns, long snapshots, long inProgress,
                           Set<String> nodes, Set<String> guestNames, Long latest) {
    }

    public record Collision(String type, String id, String severity, List<String> reasons, List<Location> locations) {
    }

    /** Per-namespace counts of what PBS listed directly. */
    public static final class NsStats {
        public long snapshots;
        public long inProgress;
        public long size;
        public final Set<String> vms = new TreeSet<>();
        public final Set<String> cts = new TreeSet<>();
        public final Set<String> hosts = new TreeSet<>();
        public long groups;
        public Long latest;
        public boolean readable = true;
    }

    /** Snapshot, in-progress and size totals over a datastore's namespaces. */
    public record StoreTotals(long snapshots, long inProgress, long size) {
        public static StoreTotals of(java.util.Collection<NsStats> namespaces) {
            long s = 0;
            long p = 0;
            long z = 0;
            for (NsStats n : namespaces) {
                s += n.snapshots;
                p += n.inProgress;
                z += n.size;
            }
            return new StoreTotals(s, p, z);
        }
    }

    public static final class Guest {
        public final String type;
        public final String id;
        public String name;
        public String node;
        public long backups;
        public long inProgress;
        public Long latest;
        public final Map<String, Long> latestBySource = new TreeMap<>();
        public final Set<String> locations = new TreeSet<>();
        public final Set<String> labels = new TreeSet<>();
        public String collision;
        /** Newest complete backup (PBS or vzdump; guest snapshots are not backups). */
        public Long latestBackup;
        /** Place → newest complete backup there (the copies of this guest). */
        public final Map<String, Long> copies = new TreeMap<>();
        /** Newest complete PBS backup and its verification state (null: never verified). */
        public Long newestPbs;
        public String newestPbsVerifyState;
        /** Newest backup whose verification passed. */
        public Long newestVerified;
        /** Newest backup task seen on PVE or PBS. */
        public Task lastTask;
        /** Listed in the PVE inventory; template; its tags. */
        public boolean inInventory;
        public boolean template;
        public Set<String> tags = Set.of();
        /** Filled by {@link Coverage}: ok, stale, never, excluded, orphaned; why excluded. */
        public String status;
        public String excludedBy;
        /** Newest restore drill that passed, and the newest drill at all. */
        public DrillResult lastGoodDrill;
        public DrillResult lastDrill;
        /** Date (UTC) → source → exact timestamps (ascending). */
        public final TreeMap<LocalDate, TreeMap<String, List<Long>>> dates = new TreeMap<>();

        Guest(String type, String id) {
            this.type = type;
            this.id = id;
        }

        void add(String source, long time, boolean counts) {
            if (counts) {
                latest = latest == null ? time : Math.max(latest, time);
                latestBySource.merge(source, time, Math::max);
            }
            LocalDate d = Instant.ofEpochSecond(time).atZone(ZoneOffset.UTC).toLocalDate();
            dates.computeIfAbsent(d, k -> new TreeMap<>()).computeIfAbsent(source, k -> new ArrayList<>()).add(time);
        }
    }

    public static final class Result {
        public final AuditInput input;
        public final List<Backup> backups = new ArrayList<>();
        /** Raw rows per source ({@code pbs:<store>/<ns>} or {@code pve:<cluster>/<node>/<storage>}). */
        public final Map<String, Long> raw = new TreeMap<>();
        public long rawPbs;
        public long rawPve;
        public final List<Backup> merged = new ArrayList<>();
        public final List<Collision> collisions = new ArrayList<>();
        public final Map<String, Guest> guests = new LinkedHashMap<>();
        /** PVE pbs storage → why it was recognised as the audited server (absent: another server). */
        public final Map<String, String> storageIdentity = new TreeMap<>();
        /** Differences to the previous audit, when its summary was given. */
        public AuditDocs.Changes changes;
        /** What the administrator should act on, most severe first (filled by {@link Problems}). */
        public final List<Problems.Problem> problems = new ArrayList<>();
        /** store → namespace → stats, in audit order. */
        public final Map<String, Map<String, NsStats>> namespaces = new LinkedHashMap<>();

        Result(AuditInput input) {
            this.input = input;
        }

        public long count(Label label) {
            long n = 0;
            for (Backup b : backups) {
                if (b.label == label) {
                    n++;
                }
            }
            return n;
        }

        /** What could not be read, PBS parts first, then PVE parts. */
        public List<AuditInput.Incomplete> allIncomplete() {
            List<AuditInput.Incomplete> all = new ArrayList<>(input.incomplete);
            if (input.pve != null) {
                all.addAll(input.pve.incomplete);
            }
            return all;
        }

        public long collisions(String severity) {
            return collisions.stream().filter(c -> c.severity().equals(severity)).count();
        }
    }

    /** Matches a PBS volume name listed by PVE: {@code backup/<type>/<id>/<UTC time>}. */
    private static final Pattern PBS_VOLNAME =
            Pattern.compile("^backup/([^\\s_/]+)/([^\\s_/]+)/([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z)$");

    public static Result build(AuditInput in) {
        Result r = new Result(in);
        Map<String, Backup> byKey = new HashMap<>();
        if (in.pve != null) {
            for (PveTypes.PbsStorageConfig c : in.pve.pbsConfigs.values()) {
                String why = identify(in, c);
                if (why != null) {
                    r.storageIdentity.put(c.storage(), why);
                }
            }
        }

        // 1. PBS, authoritative.
        for (AuditInput.StoreData sd : in.stores) {
            Map<String, NsStats> nsMap = new LinkedHashMap<>();
            for (String ns : sd.namespaces) {
                nsMap.put(ns, new NsStats());
            }
            Map<String, Set<String>> groups = new HashMap<>();
            Set<String> targets = new java.util.HashSet<>();
            if (in.pve != null) {
                for (PveTypes.PbsStorageConfig c : in.pve.pbsConfigs.values()) {
                    if (r.storageIdentity.containsKey(c.storage()) && sd.store.equals(c.datastore())) {
                        targets.add(c.namespace() == null ? "" : c.namespace());
                    }
                }
            }
            Map<String, Long> rawByNs = new HashMap<>();
            for (PbsTypes.Snapshot s : sd.snapshots) {
                String type = GuestTypes.resolve(s.type(), null, firstFileName(s));
                Backup b = new Backup(null, Label.PBS, type, s.id(), s.time(), s.size(), s.inProgress(), s,
                        s.store(), s.ns(), null, null);
                ClientLog log = in.logs.get(AuditInput.snapshotKey(s));
                if (log != null) {
                    b.node = log.node();
                    b.guestName = log.guestName();
                }
                rawByNs.merge(s.ns(), 1L, Long::sum);
                r.rawPbs++;
                // only snapshots a PVE pbs storage can also list need to be found by key
                if (targets.contains(s.ns())) {
                    byKey.put(b.key(), b);
                }
                r.backups.add(b);
                NsStats st = nsMap.computeIfAbsent(s.ns(), k -> new NsStats());
                st.snapshots++;
                if (s.inProgress()) {
                    st.inProgress++;
                } else {
                    st.size += s.size();
                    st.latest = st.latest == null ? s.time() : Math.max(st.latest, s.time());
                }
                switch (type) {
                    case "vm" -> st.vms.add(s.id());
                    case "ct" -> st.cts.add(s.id());
                    case "host" -> st.hosts.add(s.id());
                    default -> {
                    }
                }
                groups.computeIfAbsent(s.ns(), k -> new java.util.HashSet<>()).add(s.type() + "/" + s.id());
            }
            for (Map.Entry<String, Long> e : rawByNs.entrySet()) {
                r.raw.merge("pbs:" + sd.store + "/" + AuditInput.nsPath(e.getKey()), e.getValue(), Long::sum);
            }
            for (Map.Entry<String, Set<String>> g : groups.entrySet()) {
                nsMap.get(g.getKey()).groups = g.getValue().size();
            }
            for (AuditInput.Incomplete inc : in.incomplete) {
                if (inc.datastore() != null && inc.datastore().equals(sd.store) && inc.namespace() != null
                        && nsMap.containsKey(inc.namespace()) && "namespace".equals(inc.part())) {
                    nsMap.get(inc.namespace()).readable = false;
                }
            }
            r.namespaces.put(sd.store, nsMap);
        }

        // 2. PVE: PBS storages (merged into PBS when they point at it) and ordinary backup storages.
        AuditInput.PveData pve = in.pve;
        Map<Long, PveTypes.Guest> inventory = new HashMap<>();
        if (pve != null) {
            for (PveTypes.Guest g : pve.guests) {
                inventory.put(g.vmid(), g);
            }
            String cluster = clusterName(pve);
            for (Map.Entry<String, Map<String, List<PveTypes.Backup>>> byNode : pve.content.entrySet()) {
                String node = byNode.getKey();
                for (Map.Entry<String, List<PveTypes.Backup>> bySt : byNode.getValue().entrySet()) {
                    String storage = bySt.getKey();
                    PveTypes.Storage st = findStorage(pve, node, storage);
                    String sighting = "pve:" + cluster + "/" + node + "/" + storage;
                    boolean shared = st == null || st.shared();
                    boolean isPbs = st != null ? "pbs".equals(st.type()) : pve.pbsConfigs.containsKey(storage);
                    for (PveTypes.Backup pb : bySt.getValue()) {
                        r.raw.merge(sighting, 1L, Long::sum);
                        r.rawPve++;
                        Backup b = isPbs ? pbsViaPve(pve, storage, pb, byKey, r)
                                : pveFile(cluster, node, shared, pb, inventory, byKey, r);
                        if (b != null) {
                            b.addSeen(sighting);
                        }
                    }
                }
            }
        }
        for (Backup b : r.backups) {
            if (b.seenCount() > 1) {
                r.merged.add(b);
            }
        }

        collisions(r, pve);
        guests(r, pve, inventory);
        Coverage.assess(r);
        Problems.collect(r);
        return r;
    }

    static String pbsKey(String store, String ns, String type, String id, long time) {
        return "pbs:" + store + ":" + AuditInput.nsPath(ns) + ":" + type + "/" + id + "/" + iso(time);
    }

    public static String iso(long epoch) {
        return Instant.ofEpochSecond(epoch).toString();
    }

    private static String firstFileName(PbsTypes.Snapshot s) {
        return s.files().isEmpty() ? null : s.files().get(0).name();
    }

    public static String clusterName(AuditInput.PveData pve) {
        return pve.cluster != null && !pve.cluster.isEmpty() ? pve.cluster : pve.endpoint;
    }

    private static PveTypes.Storage findStorage(AuditInput.PveData pve, String node, String storage) {
        for (PveTypes.Storage s : pve.storages.getOrDefault(node, List.of())) {
            if (s.storage().equals(storage)) {
                return s;
            }
        }
        return null;
    }

    /**
     * Whether a PVE {@code pbs} storage is the audited PBS, and why; null when it is another
     * server. The certificate is the identity: PVE pins it in the storage's {@code fingerprint},
     * and the same server is reached under other names and ports (NAT, port forwards, DNS
     * aliases), so an address says little. Only without a fingerprint on either side does the
     * storage's server name and port decide (a name or address of the audited server).
     */
    static String identify(AuditInput in, PveTypes.PbsStorageConfig cfg) {
        if (cfg == null || cfg.server() == null) {
            return null;
        }
        if (cfg.fingerprint() != null && in.pbsFingerprint != null) {
            return cfg.fingerprint().equalsIgnoreCase(in.pbsFingerprint)
                    ? "storage fingerprint " + abbreviate(in.pbsFingerprint) + " is the audited server's certificate"
                    : null;
        }
        String server = cfg.server().toLowerCase(Locale.ROOT);
        boolean host = server.equals(in.pbsHost.toLowerCase(Locale.ROOT)) || in.pbsAliases.contains(server);
        if (!host || cfg.port() != in.pbsPort) {
            return null;
        }
        return "storage server " + cfg.server() + ":" + cfg.port() + " is a name of the audited server"
                + " (no certificate fingerprint to compare)";
    }

    static String abbreviate(String fingerprint) {
        return fingerprint.length() > 11 ? fingerprint.substring(0, 11).toLowerCase(Locale.ROOT) + "…" : fingerprint;
    }

    private static Backup pbsViaPve(AuditInput.PveData pve, String storage, PveTypes.Backup pb,
                                    Map<String, Backup> byKey, Result r) {
        String volid = pb.volid() == null ? "" : pb.volid();
        int colon = volid.indexOf(':');
        String volname = colon >= 0 ? volid.substring(colon + 1) : volid;
        Matcher m = PBS_VOLNAME.matcher(volname);
        String type;
        String id;
        long time;
        if (m.matches()) {
            type = m.group(1);
            id = m.group(2);
            try {
                time = Instant.parse(m.group(3)).getEpochSecond();
            } catch (DateTimeParseException e) {
                time = pb.ctime();
            }
        } else {
            type = GuestTypes.resolve(null, pb.subtype() != null ? pb.subtype() : pb.format(), volid);
            id = pb.vmid() >= 0 ? Long.toString(pb.vmid()) : volname;
            time = pb.ctime();
        }
        type = GuestTypes.resolve(type, pb.subtype(), volid);
        PveTypes.PbsStorageConfig cfg = pve.pbsConfigs.get(storage);
        String store = cfg != null && cfg.datastore() != null ? cfg.datastore() : storage;
        String ns = cfg != null && cfg.namespace() != null ? cfg.namespace() : "";
        String remote = r.storageIdentity.containsKey(storage) ? null
                : (cfg != null && cfg.server() != null ? cfg.server() + ":" + cfg.port() : "pve-storage " + storage);
        // another PBS: its certificate names it when known, so two names of that server still agree
        String remoteId = remote == null ? null : cfg != null && cfg.fingerprint() != null
                ? cfg.fingerprint().toLowerCase(Locale.ROOT) : remote;
        String key = remote == null ? pbsKey(store, ns, type, id, time)
                : "pbs-remote:" + remoteId + ":" + store + ":" + AuditInput.nsPath(ns) + ":" + type + "/" + id + "/" + iso(time);
        Backup existing = byKey.get(key);
        if (existing != null) {
            return existing;
        }
        // PVE reports size 1 when PBS gave none: the snapshot is still in progress.
        boolean inProgress = pb.size() <= 1;
        Backup b = new Backup(key, Label.PBS_VIA_PVE, type, id, time, inProgress ? -1 : pb.size(), inProgress, null,
                store, ns, remote, volid);
        b.viaPveVerifyState = pb.verifyState();
        byKey.put(key, b);
        r.backups.add(b);
        return b;
    }

    private static Backup pveFile(String cluster, String node, boolean shared, PveTypes.Backup pb,
                                  Map<Long, PveTypes.Guest> inventory, Map<String, Backup> byKey, Result r) {
        String volid = pb.volid() == null ? "" : pb.volid();
        String key = shared ? "pve:" + cluster + ":" + volid : "pve:" + cluster + ":" + node + ":" + volid;
        Backup existing = byKey.get(key);
        if (existing != null) {
            return existing;
        }
        PveTypes.Guest g = inventory.get(pb.vmid());
        String pveType = GuestTypes.fromPve(pb.subtype());
        if (pveType == null && g != null) {
            pveType = GuestTypes.fromPve(g.type());
        }
        String type = GuestTypes.resolve(null, pveType, volid);
        Backup b = new Backup(key, Label.PVE, type, pb.vmid() >= 0 ? Long.toString(pb.vmid()) : "?", pb.ctime(),
                pb.size(), pb.size() < 0, null, null, null, null, volid);
        b.node = shared ? null : node;
        int colon = volid.indexOf(':');
        String storage = colon > 0 ? volid.substring(0, colon) : volid;
        b.pvePlace = "pve:" + cluster + "/" + (shared ? "" : node + "/") + storage;
        byKey.put(key, b);
        r.backups.add(b);
        return b;
    }

    private static boolean numeric(String s) {
        int n = s.length();
        if (n == 0 || n > 18) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    private static final Comparator<String> ID_ORDER = (a, b) -> {
        boolean na = numeric(a);
        boolean nb = numeric(b);
        if (na && nb) {
            return Long.compare(Long.parseLong(a), Long.parseLong(b));
        }
        if (na != nb) {
            return na ? -1 : 1;
        }
        return a.compareTo(b);
    };

    private static final class LocAcc {
        String store;
        String ns;
        long snapshots;
        long inProgress;
        final Set<String> nodes = new TreeSet<>();
        final Set<String> names = new TreeSet<>();
        Long latest;
    }

    private static void collisions(Result r, AuditInput.PveData pve) {
        Set<String> pveNodes = new TreeSet<>();
        if (pve != null) {
            pve.nodes.forEach(n -> pveNodes.add(n.node()));
        }
        // type/id → location → accumulator
        Map<String, Map<String, LocAcc>> byGuest = new HashMap<>();
        for (Backup b : r.backups) {
            if (b.store == null || !("vm".equals(b.type) || "ct".equals(b.type))) {
                continue;
            }
            LocAcc a = byGuest.computeIfAbsent(b.type + "/" + b.id, k -> new TreeMap<>())
                    .computeIfAbsent(b.location(), k -> new LocAcc());
            a.store = b.store;
            a.ns = b.ns;
            a.snapshots++;
            if (b.inProgress) {
                a.inProgress++;
            } else {
                a.latest = a.latest == null ? b.time : Math.max(a.latest, b.time);
            }
            if (b.node != null) {
                a.nodes.add(b.node);
            }
            if (b.guestName != null) {
                a.names.add(b.guestName);
            }
        }
        for (Map.Entry<String, Map<String, LocAcc>> e : byGuest.entrySet()) {
            Map<String, LocAcc> locs = e.getValue();
            List<String> reasons = new ArrayList<>();
            boolean critical = false;
            Set<String> rootNodes = new TreeSet<>();
            List<String> rootLocs = new ArrayList<>();
            for (Map.Entry<String, LocAcc> l : locs.entrySet()) {
                LocAcc a = l.getValue();
                if (!a.ns.isEmpty()) {
                    continue;
                }
                rootLocs.add(l.getKey());
                rootNodes.addAll(a.nodes);
                if (a.nodes.size() > 1) {
                    critical = true;
                    reasons.add("root namespace " + l.getKey() + " written from different nodes: "
                            + describeNodes(a.nodes, pveNodes, pve));
                }
                if (a.names.size() > 1) {
                    critical = true;
                    reasons.add("root namespace " + l.getKey() + " holds different guests: " + String.join(", ", a.names));
                }
            }
            if (rootLocs.size() > 1 && rootNodes.size() > 1 && !critical) {
                critical = true;
                reasons.add("root namespaces " + String.join(", ", rootLocs) + " written from different nodes: "
                        + describeNodes(rootNodes, pveNodes, pve));
            }
            Set<String> namespaces = new TreeSet<>();
            for (LocAcc a : locs.values()) {
                namespaces.add(AuditInput.nsPath(a.ns));
            }
            boolean warning = namespaces.size() > 1;
            if (warning) {
                reasons.add("in different namespaces: " + String.join(", ", locs.keySet()));
            }
            if (!critical && !warning) {
                continue;
            }
            List<Location> out = new ArrayList<>();
            for (Map.Entry<String, LocAcc> l : locs.entrySet()) {
                LocAcc a = l.getValue();
                out.add(new Location(l.getKey(), a.store, a.ns, a.snapshots, a.inProgress, a.nodes, a.names, a.latest));
            }
            int slash = e.getKey().indexOf('/');
            r.collisions.add(new Collision(e.getKey().substring(0, slash), e.getKey().substring(slash + 1),
                    critical ? "critical" : "warning", reasons, out));
        }
        r.collisions.sort(Comparator.comparing((Collision c) -> c.severity().equals("critical") ? 0 : 1)
                .thenComparing(Collision::type).thenComparing(Collision::id, ID_ORDER));
    }

    /** Node names, marking those that are not in the configured PVE cluster (another cluster). */
    private static String describeNodes(Set<String> nodes, Set<String> pveNodes, AuditInput.PveData pve) {
        if (pve == null || pveNodes.isEmpty()) {
            return String.join(", ", nodes);
        }
        List<String> out = new ArrayList<>();
        for (String n : nodes) {
            out.add(pveNodes.contains(n) ? n + " (cluster " + clusterName(pve) + ")" : n + " (not in cluster "
                    + clusterName(pve) + ")");
        }
        return String.join(", ", out);
    }

    private static void guests(Result r, AuditInput.PveData pve, Map<Long, PveTypes.Guest> inventory) {
        TreeMap<String, Guest> sorted = new TreeMap<>(Comparator.comparing((String k) -> k.substring(0, k.indexOf('/')))
                .thenComparing(k -> k.substring(k.indexOf('/') + 1), ID_ORDER));
        Map<String, Long> latestNodeTime = new HashMap<>();
        // one place string per PBS location, not one per backup (a million backups share a few hundred)
        Map<String, String> places = new HashMap<>();
        for (Backup b : r.backups) {
            // host groups (proxmox-backup-client of a machine) are judged like guests
            if (!("vm".equals(b.type) || "ct".equals(b.type) || "host".equals(b.type))) {
                continue;
            }
            String k = b.type + "/" + b.id;
            Guest g = sorted.computeIfAbsent(k, x -> new Guest(b.type, b.id));
            if (b.inProgress) {
                g.inProgress++;
            } else {
                g.backups++;
                g.latestBackup = g.latestBackup == null ? b.time : Math.max(g.latestBackup, b.time);
                String place = b.store == null ? b.pvePlace : places.computeIfAbsent(b.location(), loc -> b.place());
                g.copies.merge(place, b.time, Math::max);
                if (b.source().equals("pbs")) {
                    String state = b.verifyState();
                    if (g.newestPbs == null || b.time > g.newestPbs) {
                        g.newestPbs = b.time;
                        g.newestPbsVerifyState = state;
                    }
                    if ("ok".equals(state)) {
                        g.newestVerified = g.newestVerified == null ? b.time : Math.max(g.newestVerified, b.time);
                    }
                }
            }
            g.add(b.source(), b.time, !b.inProgress);
            if (b.location() != null) {
                g.locations.add(b.location());
            } else if (b.volid != null) {
                int c = b.volid.indexOf(':');
                g.locations.add("pve:" + (c > 0 ? b.volid.substring(0, c) : b.volid));
            }
            g.labels.add(b.label.text);
            if (b.guestName != null && g.name == null) {
                g.name = b.guestName;
            }
            if (b.node != null && b.time >= latestNodeTime.getOrDefault(k, Long.MIN_VALUE)) {
                latestNodeTime.put(k, b.time);
                g.node = b.node;
            }
        }
        if (pve != null) {
            for (PveTypes.Guest pg : pve.guests) {
                String type = GuestTypes.fromPve(pg.type());
                if (type == null) {
                    continue;
                }
                Guest g = sorted.computeIfAbsent(type + "/" + pg.vmid(), x -> new Guest(type, Long.toString(pg.vmid())));
                if (pg.name() != null) {
                    g.name = pg.name();
                }
                if (pg.node() != null) {
                    g.node = pg.node();
                }
                g.inInventory = true;
                g.template = pg.template();
                g.tags = pg.tags();
            }
            for (Map.Entry<String, List<PveTypes.Snapshot>> e : pve.snapshots.entrySet()) {
                String[] parts = e.getKey().split("/", 2);
                String type = GuestTypes.fromPve(parts[0]);
                if (type == null || parts.length < 2) {
                    continue;
                }
                Guest g = sorted.computeIfAbsent(type + "/" + parts[1], x -> new Guest(type, parts[1]));
                for (PveTypes.Snapshot s : e.getValue()) {
                    if (s.snaptime() > 0) {
                        g.add("snapshots", s.snaptime(), true);
                    }
                }
            }
        }
        for (Guest g : sorted.values()) {
            for (TreeMap<String, List<Long>> bySrc : g.dates.values()) {
                bySrc.values().forEach(l -> l.sort(null));
            }
        }
        for (Collision c : r.collisions) {
            Guest g = sorted.get(c.type() + "/" + c.id());
            if (g != null) {
                g.collision = c.severity();
            }
        }
        assignTasks(r, sorted);
        assignDrills(r, sorted);
        r.guests.putAll(sorted);
    }

    /** The newest backup task per guest: PBS names {@code <store>:<type>/<id>}, PVE the VMID alone. */
    private static void assignTasks(Result r, Map<String, Guest> guests) {
        Map<String, List<Guest>> byId = new HashMap<>();
        for (Guest g : guests.values()) {
            byId.computeIfAbsent(g.id, k -> new ArrayList<>(1)).add(g);
        }
        for (Task t : r.input.pbsTasks) {
            String w = t.workerId();
            int colon = w == null ? -1 : w.indexOf(':');
            if (colon >= 0) {
                newer(guests.get(w.substring(colon + 1)), t);
            }
        }
        if (r.input.pve != null) {
            for (Task t : r.input.pve.tasks) {
                if (t.workerId() == null || t.workerId().isEmpty()) {
                    continue; // a job over several guests: its result is not one guest's
                }
                for (Guest g : byId.getOrDefault(t.workerId(), List.of())) {
                    if (!g.type.equals("host") && (g.inInventory || r.input.pve.guests.isEmpty())) {
                        newer(g, t);
                    }
                }
            }
        }
    }

    private static void newer(Guest g, Task t) {
        if (g != null && (g.lastTask == null || t.start() > g.lastTask.start())) {
            g.lastTask = t;
        }
    }

    private static void assignDrills(Result r, Map<String, Guest> guests) {
        Map<String, List<Guest>> byId = new HashMap<>();
        for (Guest g : guests.values()) {
            byId.computeIfAbsent(g.id, k -> new ArrayList<>(1)).add(g);
        }
        for (DrillResult d : r.input.drills) {
            for (Guest g : byId.getOrDefault(d.id(), List.of())) {
                if (!d.matches(g.type, g.id)) {
                    continue;
                }
                if (g.lastDrill == null || d.time() > g.lastDrill.time()) {
                    g.lastDrill = d;
                }
                if (d.passed() && (g.lastGoodDrill == null || d.time() > g.lastGoodDrill.time())) {
                    g.lastGoodDrill = d;
                }
            }
        }
    }
}
