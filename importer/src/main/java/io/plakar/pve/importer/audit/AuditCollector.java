package io.plakar.pve.importer.audit;

import io.plakar.pve.importer.audit.api.ApiException;
import io.plakar.pve.importer.audit.api.PbsClient;
import io.plakar.pve.importer.audit.api.PbsTypes;
import io.plakar.pve.importer.audit.api.PveClient;
import io.plakar.pve.importer.audit.api.PveTypes;
import io.plakar.pve.importer.audit.api.RestClient;
import io.plakar.pve.importer.audit.api.Task;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * Reads everything the audit needs from PBS (and the optional PVE cluster) into an
 * {@link AuditInput}. Only failures that make the whole audit meaningless are thrown
 * (authentication, TLS, unreachable server); an unreadable datastore, namespace or PVE
 * part is recorded as incomplete and the rest is still read.
 */
public final class AuditCollector {
    private final PbsAuditConfig cfg;
    private final PbsClient pbs;
    private final PveClient pve;

    public AuditCollector(PbsAuditConfig cfg, PbsClient pbs, PveClient pve) {
        this.cfg = cfg;
        this.pbs = pbs;
        this.pve = pve;
    }

    public AuditInput collect(Instant auditTime) throws ApiException, InterruptedException {
        AuditInput in = new AuditInput();
        in.auditTime = auditTime;
        in.pbsHost = cfg.host();
        in.pbsPort = cfg.port();
        in.pbsVersion = pbs.version().full();
        in.pbsFingerprint = (cfg.fingerprint() != null ? cfg.fingerprint() : pbs.http().serverFingerprint());
        if (in.pbsFingerprint != null) {
            in.pbsFingerprint = in.pbsFingerprint.toLowerCase(Locale.ROOT);
        }
        in.policy = cfg.policy();
        in.pbsNode = pbs.nodeName().orElse(null);
        if (in.pbsNode == null) {
            in.notes.add("PBS node name unknown: /nodes is forbidden and no task is visible to this token");
        }
        in.pbsAliases.add(cfg.host().toLowerCase(Locale.ROOT));
        if (in.pbsNode != null) {
            in.pbsAliases.add(in.pbsNode.toLowerCase(Locale.ROOT));
        }
        addresses(cfg.host()).forEach(in.pbsAliases::add);

        Map<String, PbsTypes.Datastore> listed = new LinkedHashMap<>();
        try {
            for (PbsTypes.Datastore d : pbs.datastores()) {
                listed.put(d.store(), d);
            }
        } catch (ApiException e) {
            if (cfg.datastores().isEmpty() || fatal(e)) {
                throw e;
            }
            in.notes.add("datastore list unavailable: " + e.getMessage());
        }
        List<String> stores = cfg.datastores().isEmpty() ? new ArrayList<>(listed.keySet()) : cfg.datastores();
        if (stores.isEmpty()) {
            in.notes.add("no datastore is visible to this token (it needs Datastore.Audit on /datastore/<store>)");
        }
        for (String s : stores) {
            AuditInput.StoreData sd = new AuditInput.StoreData(s);
            sd.info = listed.get(s);
            in.stores.add(sd);
        }

        // Per store: status and namespaces (in parallel over stores).
        List<Callable<Void>> storeCalls = new ArrayList<>();
        List<List<AuditInput.Incomplete>> storeInc = new ArrayList<>();
        List<List<String>> storeNotes = new ArrayList<>();
        for (AuditInput.StoreData sd : in.stores) {
            List<AuditInput.Incomplete> inc = new ArrayList<>();
            List<String> notes = new ArrayList<>();
            storeInc.add(inc);
            storeNotes.add(notes);
            storeCalls.add(() -> {
                readStore(sd, inc, notes);
                return null;
            });
        }
        rethrowFatal(pbs.http().parallel(storeCalls));
        storeInc.forEach(in.incomplete::addAll);
        storeNotes.forEach(in.notes::addAll);

        // Snapshots of every namespace, in parallel.
        record NsJob(AuditInput.StoreData sd, String ns) {
        }
        List<NsJob> jobs = new ArrayList<>();
        for (AuditInput.StoreData sd : in.stores) {
            for (String ns : sd.namespaces) {
                jobs.add(new NsJob(sd, ns));
            }
        }
        List<Callable<List<PbsTypes.Snapshot>>> snapCalls = new ArrayList<>();
        for (NsJob j : jobs) {
            snapCalls.add(() -> pbs.snapshots(j.sd().store, j.sd().namespaceSupport ? j.ns() : null));
        }
        List<RestClient.Outcome<List<PbsTypes.Snapshot>>> snaps = pbs.http().parallel(snapCalls);
        for (int i = 0; i < jobs.size(); i++) {
            RestClient.Outcome<List<PbsTypes.Snapshot>> o = snaps.get(i);
            NsJob j = jobs.get(i);
            if (o.ok()) {
                j.sd().snapshots.addAll(o.value());
            } else {
                if (fatal(o.error())) {
                    throw o.error();
                }
                in.incomplete.add(new AuditInput.Incomplete(j.sd().store, j.ns(), "namespace", o.error().getMessage()));
            }
        }
        snaps.clear();

        readLogs(in);
        readPbsTasks(in);
        if (pve != null) {
            readPve(in);
        }
        in.drills.addAll(DrillReports.read(cfg.drillReports(), in.notes));
        return in;
    }

    /** How far back task lists are read: enough to see the last run of a daily job that went stale. */
    private long taskWindowStart(AuditInput in) {
        long window = Math.max(7 * 86400L, 2 * cfg.policy().maxAge().toSeconds());
        return in.auditTime.getEpochSecond() - window;
    }

    /** Optional: a token without Sys.Audit sees no task list, which only hides failed jobs. */
    private void readPbsTasks(AuditInput in) throws ApiException {
        try {
            in.pbsTasks.addAll(pbs.backupTasks(taskWindowStart(in)));
        } catch (ApiException e) {
            if (fatal(e)) {
                throw e;
            }
            in.notes.add("PBS task list unavailable, failed backup jobs on PBS are not shown: " + e.getMessage());
        }
    }

    private void readStore(AuditInput.StoreData sd, List<AuditInput.Incomplete> inc, List<String> notes) throws ApiException {
        try {
            sd.status = pbs.status(sd.store);
        } catch (ApiException e) {
            if (fatal(e)) {
                throw e;
            }
            inc.add(new AuditInput.Incomplete(sd.store, null, "status", e.getMessage()));
        }
        Optional<List<String>> nss;
        try {
            nss = pbs.namespaces(sd.store, cfg.namespace(), cfg.maxDepth());
        } catch (ApiException e) {
            if (fatal(e)) {
                throw e;
            }
            inc.add(new AuditInput.Incomplete(sd.store, null, "datastore", e.getMessage()));
            return;
        }
        if (nss.isEmpty()) {
            sd.namespaceSupport = false;
            if (!cfg.namespace().isEmpty()) {
                inc.add(new AuditInput.Incomplete(sd.store, cfg.namespace(), "namespace",
                        "namespace '" + cfg.namespace() + "' requested, but this PBS has no namespace support (older than 2.2)"));
                return;
            }
            notes.add("datastore " + sd.store + ": no namespace support (PBS older than 2.2): root namespace only");
            sd.namespaces.add("");
        } else {
            sd.namespaces.addAll(nss.get());
            if (sd.namespaces.isEmpty()) {
                sd.namespaces.add(cfg.namespace());
            }
        }
    }

    private void readLogs(AuditInput in) throws InterruptedException, ApiException {
        if (cfg.readLogs() == PbsAuditConfig.ReadLogs.NONE) {
            return;
        }
        List<PbsTypes.Snapshot> wanted = new ArrayList<>();
        for (AuditInput.StoreData sd : in.stores) {
            for (PbsTypes.Snapshot s : sd.snapshots) {
                if (s.inProgress() || !("vm".equals(s.type()) || "ct".equals(s.type())) || !s.hasFile("client.log.blob")) {
                    continue;
                }
                if (cfg.readLogs() == PbsAuditConfig.ReadLogs.ROOT && !s.ns().isEmpty()) {
                    continue;
                }
                wanted.add(s);
            }
        }
        List<Callable<ClientLog>> calls = new ArrayList<>();
        for (PbsTypes.Snapshot s : wanted) {
            calls.add(() -> ClientLog.parse(pbs.clientLog(s.store(), s.ns(), s.type(), s.id(), s.time())));
        }
        List<RestClient.Outcome<ClientLog>> outs = pbs.http().parallel(calls);
        int failed = 0;
        String first = null;
        for (int i = 0; i < wanted.size(); i++) {
            RestClient.Outcome<ClientLog> o = outs.get(i);
            if (o.ok()) {
                in.logs.put(AuditInput.snapshotKey(wanted.get(i)), o.value());
            } else {
                if (fatal(o.error())) {
                    throw o.error();
                }
                failed++;
                if (first == null) {
                    first = o.error().getMessage();
                }
            }
        }
        if (failed > 0) {
            in.notes.add(failed + " of " + wanted.size() + " client logs could not be read (node unknown for those): " + first);
        }
    }

    private void readPve(AuditInput in) throws InterruptedException {
        AuditInput.PveData d = new AuditInput.PveData();
        in.pve = d;
        PbsAuditConfig.Pve pc = cfg.pve();
        d.endpoint = pc.host() + ":" + pc.port();
        try {
            d.version = pve.version();
            d.nodes.addAll(pve.nodes());
        } catch (ApiException e) {
            d.incomplete.add(new AuditInput.Incomplete(null, null, "pve", e.getMessage()));
            return;
        }
        try {
            d.cluster = pve.clusterName().orElse(null);
        } catch (ApiException e) {
            // optional: the cluster name only labels the report
            in.notes.add("PVE cluster name unavailable (" + e.getMessage() + "): the PVE endpoint names it");
        }
        List<String> nodes = new ArrayList<>();
        for (PveTypes.Node n : d.nodes) {
            if (n.status() == null || "online".equals(n.status())) {
                nodes.add(n.node());
            } else {
                d.incomplete.add(new AuditInput.Incomplete(null, null, "pve-node",
                        "node " + n.node() + " is " + n.status() + ": its local storages were not listed"));
            }
        }
        List<Callable<List<PveTypes.Storage>>> stCalls = new ArrayList<>();
        for (String n : nodes) {
            stCalls.add(() -> pve.backupStorages(n));
        }
        List<RestClient.Outcome<List<PveTypes.Storage>>> sts = pve.http().parallel(stCalls);
        Set<String> pbsStorages = new LinkedHashSet<>();
        record Job(String node, String storage) {
        }
        List<Job> jobs = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            if (!sts.get(i).ok()) {
                d.incomplete.add(new AuditInput.Incomplete(null, null, "pve-storage", sts.get(i).error().getMessage()));
                continue;
            }
            List<PveTypes.Storage> list = sts.get(i).value();
            d.storages.put(nodes.get(i), list);
            for (PveTypes.Storage s : list) {
                if (!s.content().contains("backup")) {
                    continue;
                }
                if (!s.active() || !s.enabled()) {
                    in.notes.add("PVE storage " + s.storage() + " on " + nodes.get(i) + " is "
                            + (!s.enabled() ? "disabled" : "inactive") + ": not listed");
                    continue;
                }
                if ("pbs".equals(s.type())) {
                    pbsStorages.add(s.storage());
                }
                jobs.add(new Job(nodes.get(i), s.storage()));
            }
        }
        List<String> pbsList = new ArrayList<>(pbsStorages);
        List<Callable<PveTypes.PbsStorageConfig>> cfgCalls = new ArrayList<>();
        for (String s : pbsList) {
            cfgCalls.add(() -> pve.pbsStorageConfig(s));
        }
        List<RestClient.Outcome<PveTypes.PbsStorageConfig>> cfgs = pve.http().parallel(cfgCalls);
        Set<String> pbsAddrs = new LinkedHashSet<>(in.pbsAliases);
        for (int i = 0; i < pbsList.size(); i++) {
            if (cfgs.get(i).ok()) {
                PveTypes.PbsStorageConfig c = cfgs.get(i).value();
                d.pbsConfigs.put(pbsList.get(i), c);
                if (c.server() != null && !in.pbsAliases.contains(c.server().toLowerCase(Locale.ROOT))) {
                    for (String a : addresses(c.server())) {
                        if (pbsAddrs.contains(a)) {
                            in.pbsAliases.add(c.server().toLowerCase(Locale.ROOT));
                            break;
                        }
                    }
                }
            } else {
                d.incomplete.add(new AuditInput.Incomplete(null, null, "pve-storage-config",
                        "storage " + pbsList.get(i) + ": " + cfgs.get(i).error().getMessage()
                                + " (its backups are counted as PBS via PVE, not matched to this PBS)"));
            }
        }
        List<Callable<List<PveTypes.Backup>>> cCalls = new ArrayList<>();
        for (Job j : jobs) {
            cCalls.add(() -> pve.backups(j.node(), j.storage()));
        }
        List<RestClient.Outcome<List<PveTypes.Backup>>> cs = pve.http().parallel(cCalls);
        for (int i = 0; i < jobs.size(); i++) {
            Job j = jobs.get(i);
            if (cs.get(i).ok()) {
                d.content.computeIfAbsent(j.node(), k -> new LinkedHashMap<>()).put(j.storage(), cs.get(i).value());
            } else {
                d.incomplete.add(new AuditInput.Incomplete(null, null, "pve-content",
                        "storage " + j.storage() + " on " + j.node() + ": " + cs.get(i).error().getMessage()));
            }
        }
        List<Callable<List<Task>>> tCalls = new ArrayList<>();
        for (String n : nodes) {
            tCalls.add(() -> pve.vzdumpTasks(n, taskWindowStart(in)));
        }
        List<RestClient.Outcome<List<Task>>> ts = pve.http().parallel(tCalls);
        for (int i = 0; i < nodes.size(); i++) {
            if (ts.get(i).ok()) {
                d.tasks.addAll(ts.get(i).value());
            } else {
                // optional: without it only the failed-job view of that node is missing
                in.notes.add("PVE tasks of node " + nodes.get(i) + " unavailable, its failed backup jobs are not shown: "
                        + ts.get(i).error().getMessage());
            }
        }
        try {
            d.guests.addAll(pve.guests());
        } catch (ApiException e) {
            d.incomplete.add(new AuditInput.Incomplete(null, null, "pve-guests", e.getMessage()));
            return;
        }
        List<PveTypes.Guest> withSnaps = new ArrayList<>();
        for (PveTypes.Guest g : d.guests) {
            if (!g.template() && g.node() != null) {
                withSnaps.add(g);
            }
        }
        List<Callable<List<PveTypes.Snapshot>>> gCalls = new ArrayList<>();
        for (PveTypes.Guest g : withSnaps) {
            gCalls.add(() -> pve.snapshots(g.node(), g.type(), g.vmid()));
        }
        List<RestClient.Outcome<List<PveTypes.Snapshot>>> gs = pve.http().parallel(gCalls);
        int failed = 0;
        String first = null;
        for (int i = 0; i < withSnaps.size(); i++) {
            PveTypes.Guest g = withSnaps.get(i);
            if (gs.get(i).ok()) {
                d.snapshots.put(g.type() + "/" + g.vmid(), gs.get(i).value());
            } else {
                failed++;
                if (first == null) {
                    first = gs.get(i).error().getMessage();
                }
            }
        }
        if (failed > 0) {
            d.incomplete.add(new AuditInput.Incomplete(null, null, "pve-snapshots",
                    failed + " of " + withSnaps.size() + " guests' snapshot lists could not be read: " + first));
        }
    }

    /** Failures that stop the audit: the credentials or the TLS identity are wrong, or the server is not there. */
    static boolean fatal(ApiException e) {
        return e.kind() == ApiException.Kind.AUTH || e.kind() == ApiException.Kind.TLS;
    }

    private static <T> void rethrowFatal(List<RestClient.Outcome<T>> outs) throws ApiException {
        for (RestClient.Outcome<T> o : outs) {
            if (!o.ok()) {
                throw o.error();
            }
        }
    }

    private static List<String> addresses(String host) {
        List<String> out = new ArrayList<>();
        try {
            for (InetAddress a : InetAddress.getAllByName(host)) {
                out.add(a.getHostAddress().toLowerCase(Locale.ROOT));
            }
        } catch (UnknownHostException | SecurityException ignored) {
            // not resolvable here: compare names only
        }
        return out;
    }
}
