package io.plakar.pve.testkit.pbs;

import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * A fake Proxmox Backup Server API over real HTTPS, with the response shapes of
 * the real one (plain-text error bodies with a JSON content type, kebab-case fields,
 * snake_case tasks, {@code total} beside {@code data}). Build a scenario, then {@link #start()}.
 *
 * <pre>
 * FakePbs pbs = new FakePbs("audit@pbs!t", "secret");
 * pbs.store("store1").add("", Snap.vm("100", t, 32L &lt;&lt; 30).node("pve1"));
 * pbs.start();
 * </pre>
 */
public final class FakePbs extends FakeHttpsApi {
    private final Map<String, Store> stores = new LinkedHashMap<>();
    private String nodeName = "pbs1";
    private String version = "3.2";
    private String release = "4";
    private boolean namespaceSupport = true;
    private boolean nodesForbidden = true;
    private final List<Map<String, Object>> backupTasks = new ArrayList<>();

    public FakePbs(String tokenId, String secret) {
        this(SelfSignedCert.shared(), tokenId, secret);
    }

    public FakePbs(SelfSignedCert cert, String tokenId, String secret) {
        super(cert);
        expectAuthorization("PBSAPIToken=" + tokenId + ":" + secret);
    }

    public FakePbs nodeName(String n) {
        nodeName = n;
        return this;
    }

    public FakePbs version(String v, String r) {
        version = v;
        release = r;
        return this;
    }

    /** false: PBS older than 2.2 (namespace endpoint 404, {@code ns} parameter rejected). */
    public FakePbs namespaceSupport(boolean b) {
        namespaceSupport = b;
        return this;
    }

    /** {@code GET /nodes} answers 403 (as for API tokens) unless set to false. */
    public FakePbs nodesForbidden(boolean b) {
        nodesForbidden = b;
        return this;
    }

    /**
     * A finished backup task of {@code <store>:<type>/<id>} ({@code status} {@code OK} or the error
     * message), listed by {@code /nodes/localhost/tasks} after the fake's garbage collection task.
     */
    public synchronized FakePbs backupTask(String store, String type, String id, long start, long end, String status) {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("upid", String.format("UPID:%s:000009F3:0001E9A4:00000011:%08X:backup:%s\\x3a%s-%s:pve@pbs!lab:", nodeName,
                start, store, type, id));
        t.put("node", "localhost");
        t.put("pid", 2547);
        t.put("pstart", 125348);
        t.put("starttime", start);
        t.put("worker_type", "backup");
        t.put("worker_id", store + ":" + type + "/" + id);
        t.put("user", "pve@pbs!lab");
        t.put("endtime", end);
        t.put("status", status);
        backupTasks.add(t);
        return this;
    }

    public synchronized Store store(String name) {
        return stores.computeIfAbsent(name, Store::new);
    }

    /** A datastore of the fake. */
    public static final class Store {
        public final String name;
        public String comment;
        public String maintenance;
        public long total = 2_000_396_746_752L;
        public long used = 733_428_432_896L;
        public long indexDataBytes = 1_812_345_678_901L;
        public long diskBytes = 512_345_678_901L;
        public String gcUpid = "UPID:pbs1:00000931:0001E001:00000003:6631F680:garbage_collection:store1:root@pam:";
        /** 403 on every datastore endpoint (still listed, as with a namespace-only ACL). */
        public boolean forbidden;
        public boolean listed = true;
        final TreeSet<String> namespaces = new TreeSet<>(List.of(""));
        final Map<String, List<Snap>> snaps = new ConcurrentHashMap<>();
        final java.util.Set<String> forbiddenNs = ConcurrentHashMap.newKeySet();
        /** Snapshots generated on the fly per namespace (benchmark): called with (ns, sink). */
        BiConsumer<String, Consumer<Snap>> generator;

        Store(String name) {
            this.name = name;
        }

        /** Adds a namespace and its parents. */
        public Store ns(String ns) {
            String acc = "";
            for (String c : ns.isEmpty() ? new String[0] : ns.split("/")) {
                acc = acc.isEmpty() ? c : acc + "/" + c;
                namespaces.add(acc);
            }
            return this;
        }

        public Store add(String ns, Snap s) {
            ns(ns);
            snaps.computeIfAbsent(ns, k -> java.util.Collections.synchronizedList(new ArrayList<>())).add(s);
            return this;
        }

        public Store forbidNamespace(String ns) {
            forbiddenNs.add(ns);
            return this;
        }

        public Store generator(BiConsumer<String, Consumer<Snap>> g) {
            generator = g;
            return this;
        }

        void each(String ns, Consumer<Snap> c) {
            if (generator != null) {
                generator.accept(ns, c);
            }
            for (Snap s : snaps.getOrDefault(ns, List.of())) {
                c.accept(s);
            }
        }

        public List<Snap> snapshots(String ns) {
            List<Snap> out = new ArrayList<>();
            each(ns, out::add);
            return out;
        }

        public java.util.Set<String> namespaces() {
            return java.util.Collections.unmodifiableSet(namespaces);
        }
    }

    @Override
    protected void unauthorized(HttpExchange ex) throws IOException {
        plain(ex, 401, "authentication failed");
    }

    @Override
    protected void error(HttpExchange ex, int status, String message) throws IOException {
        plain(ex, status, message == null ? "" : message);
    }

    @Override
    protected void handle(HttpExchange ex, String path, Map<String, String> q) throws IOException {
        String[] p = path.split("/");
        if (path.equals("/version")) {
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("version", version);
            v.put("release", release);
            v.put("repoid", "4940514b0f05d6cd6a5f711edfdd47c1fa41b537");
            data(ex, v, null);
        } else if (path.equals("/nodes")) {
            if (nodesForbidden) {
                plain(ex, 403, "permission check failed");
            } else {
                data(ex, List.of(Map.of("node", nodeName)), null);
            }
        } else if (p.length == 4 && p[1].equals("nodes") && p[3].equals("tasks")) {
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("upid", "UPID:" + nodeName + ":00000C01:0002A000:00000031:66330FC0:garbage_collection:store1:root@pam:");
            t.put("node", "localhost");
            t.put("pid", 3073);
            t.put("pstart", 172032);
            t.put("starttime", 1714622400);
            t.put("worker_type", "garbage_collection");
            t.put("worker_id", "store1");
            t.put("user", "root@pam");
            List<Object> out = new ArrayList<>();
            out.add(t);
            long since = Long.parseLong(q.getOrDefault("since", "0"));
            String filter = q.getOrDefault("typefilter", "");
            synchronized (this) {
                for (Map<String, Object> b : backupTasks) {
                    if (((Number) b.get("starttime")).longValue() >= since) {
                        out.add(b);
                    }
                }
            }
            out.removeIf(x -> !((String) ((Map<?, ?>) x).get("worker_type")).contains(filter));
            if ("1".equals(q.get("limit"))) {
                out = out.subList(0, Math.min(1, out.size()));
            }
            data(ex, out, Map.of("total", out.size()));
        } else if (path.equals("/admin/datastore")) {
            List<Object> out = new ArrayList<>();
            synchronized (this) {
                for (Store s : stores.values()) {
                    if (!s.listed) {
                        continue;
                    }
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("store", s.name);
                    m.put("comment", s.comment);
                    if (s.maintenance != null) {
                        m.put("maintenance", s.maintenance);
                    }
                    out.add(m);
                }
            }
            data(ex, out, null);
        } else if (p.length == 5 && p[1].equals("admin") && p[2].equals("datastore")) {
            Store s;
            synchronized (this) {
                s = stores.get(p[3]);
            }
            if (s != null && s.forbidden) {
                plain(ex, 403, "permission check failed - missing Datastore.Audit|Datastore.Backup on /datastore/" + p[3]);
                return;
            }
            if (s == null) {
                plain(ex, 400, "no such datastore '" + p[3] + "'");
                return;
            }
            datastore(ex, s, p[4], q, path);
        } else {
            plain(ex, 404, "Path '/api2/json" + path + "' not found.");
        }
    }

    private void datastore(HttpExchange ex, Store s, String what, Map<String, String> q, String path) throws IOException {
        String ns = q.getOrDefault("ns", "");
        if (!namespaceSupport && (q.containsKey("ns") || what.equals("namespace"))) {
            if (what.equals("namespace")) {
                plain(ex, 404, "Path '/api2/json" + path + "' not found.");
            } else {
                plain(ex, 400, "parameter verification errors\n\nparameter 'ns': schema does not allow additional properties.");
            }
            return;
        }
        switch (what) {
            case "namespace" -> {
                String parent = q.getOrDefault("parent", "");
                int maxDepth = q.containsKey("max-depth") ? Integer.parseInt(q.get("max-depth")) : 7;
                if (!s.namespaces.contains(parent)) {
                    plain(ex, 400, "namespace '" + parent + "' does not exist");
                    return;
                }
                int base = parent.isEmpty() ? 0 : parent.split("/").length;
                List<Object> out = new ArrayList<>();
                for (String n : s.namespaces) {
                    boolean under = parent.isEmpty() || n.equals(parent) || n.startsWith(parent + "/");
                    int depth = n.isEmpty() ? 0 : n.split("/").length;
                    if (under && depth - base <= maxDepth) {
                        out.add(Map.of("ns", n));
                    }
                }
                data(ex, out, null);
            }
            case "snapshots" -> {
                if (s.forbiddenNs.contains(ns)) {
                    plain(ex, 403, "permission check failed - missing Datastore.Audit|Datastore.Backup on /datastore/"
                            + s.name + (ns.isEmpty() ? "" : "/" + ns));
                    return;
                }
                if (!s.namespaces.contains(ns)) {
                    plain(ex, 400, "namespace '" + ns + "' does not exist");
                    return;
                }
                stream(ex, g -> {
                    g.writeStartObject();
                    g.writeArrayFieldStart("data");
                    IOException[] err = new IOException[1];
                    s.each(ns, snap -> {
                        if (err[0] == null) {
                            try {
                                snap.write(g);
                            } catch (IOException e) {
                                err[0] = e;
                            }
                        }
                    });
                    if (err[0] != null) {
                        throw err[0];
                    }
                    g.writeEndArray();
                    g.writeEndObject();
                });
            }
            case "status" -> status(ex, s, "1".equals(q.get("verbose")) || "true".equals(q.get("verbose")));
            case "download-decoded" -> {
                String type = q.get("backup-type");
                String id = q.get("backup-id");
                long time = Long.parseLong(q.getOrDefault("backup-time", "0"));
                String file = q.get("file-name");
                Snap found = null;
                for (Snap sn : s.snapshots(ns)) {
                    if (sn.type.equals(type) && sn.id.equals(id) && sn.time == time) {
                        found = sn;
                    }
                }
                if (found == null) {
                    plain(ex, 400, "unable to open snapshot - no such snapshot");
                } else if (!"client.log.blob".equals(file) || !found.hasLog) {
                    plain(ex, 400, "File open failed: No such file or directory (os error 2)");
                } else {
                    raw(ex, found.clientLog(ns).getBytes(StandardCharsets.UTF_8), "application/octet-stream");
                }
            }
            default -> plain(ex, 404, "Path '/api2/json" + path + "' not found.");
        }
    }

    private void status(HttpExchange ex, Store s, boolean verbose) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("total", s.total);
        m.put("used", s.used);
        m.put("avail", s.total - s.used);
        if (verbose) {
            Map<String, Object> gc = new LinkedHashMap<>();
            gc.put("upid", s.gcUpid);
            gc.put("index-file-count", 148);
            gc.put("index-data-bytes", s.indexDataBytes);
            gc.put("disk-bytes", s.diskBytes);
            gc.put("disk-chunks", 312345);
            gc.put("removed-bytes", 1234567890L);
            gc.put("removed-chunks", 812);
            gc.put("pending-bytes", 0);
            gc.put("pending-chunks", 0);
            gc.put("removed-bad", 0);
            gc.put("still-bad", 0);
            m.put("gc-status", gc);
            Map<String, java.util.Set<String>> groups = new HashMap<>();
            Map<String, long[]> snaps = new HashMap<>();
            for (String ns : s.namespaces) {
                s.each(ns, sn -> {
                    groups.computeIfAbsent(sn.type, k -> new java.util.HashSet<>()).add(ns + "\u0000" + sn.id);
                    snaps.computeIfAbsent(sn.type, k -> new long[1])[0]++;
                });
            }
            Map<String, Object> counts = new LinkedHashMap<>();
            for (String t : List.of("ct", "host", "vm", "other")) {
                if (!groups.containsKey(t)) {
                    counts.put(t, null);
                } else {
                    counts.put(t, Map.of("groups", groups.get(t).size(), "snapshots", snaps.get(t)[0]));
                }
            }
            m.put("counts", counts);
        }
        data(ex, m, null);
    }

    /** The same snapshot list a PVE {@code pbs} storage pointing at (store, ns) would show:
     * volid {@code <storage>:backup/<vm|ct>/<id>/<UTC time>}, size 1 when PBS gave none, vm/ct groups only. */
    public List<Map<String, Object>> pveContent(String storage, String store, String ns) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Snap s : store(store).snapshots(ns)) {
            if (!s.type.equals("vm") && !s.type.equals("ct")) {
                continue;
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("volid", storage + ":backup/" + s.type + "/" + s.id + "/" + s.iso());
            m.put("content", "backup");
            m.put("format", s.type.equals("vm") ? "pbs-vm" : "pbs-ct");
            m.put("subtype", s.type.equals("vm") ? "qemu" : "lxc");
            m.put("vmid", Long.parseLong(s.id));
            m.put("ctime", s.time);
            m.put("size", s.size() == null ? 1L : s.size());
            if (s.comment != null) {
                m.put("notes", s.comment);
            }
            if (s.isProtected) {
                m.put("protected", 1);
            }
            if (s.verifyState != null) {
                m.put("verification", Map.of("state", s.verifyState, "upid", s.verifyUpid));
            }
            out.add(m);
        }
        out.sort((a, b) -> ((String) a.get("volid")).compareToIgnoreCase((String) b.get("volid")));
        return out;
    }

}
