package io.plakar.pve.testkit.pbs;

import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A fake Proxmox VE API over real HTTPS: {@code {"data": …}} bodies,
 * errors as {@code {"data":null,"message":"…\n"}} (the reason-phrase text, which the JDK
 * server cannot set), numbers optionally sent as numeric strings (Perl) to exercise lenient
 * parsing.
 */
public final class FakePve extends FakeHttpsApi {
    private String cluster = "lab";
    private String version = "8.2.4";
    private boolean stringNumbers;
    private final Map<String, String> nodes = new LinkedHashMap<>();
    /** node → storage id → storage item. */
    private final Map<String, Map<String, Map<String, Object>>> storages = new LinkedHashMap<>();
    private final Map<String, Map<String, Object>> storageConfigs = new LinkedHashMap<>();
    /** storage id (shared) or node + "/" + storage id → content. */
    private final Map<String, List<Map<String, Object>>> content = new LinkedHashMap<>();
    private final List<Map<String, Object>> guests = new ArrayList<>();
    private final Map<String, List<Map<String, Object>>> snapshots = new LinkedHashMap<>();
    /** node → task list items. */
    private final Map<String, List<Map<String, Object>>> tasks = new LinkedHashMap<>();

    public FakePve(String tokenId, String secret) {
        this(SelfSignedCert.shared(), tokenId, secret);
    }

    public FakePve(SelfSignedCert cert, String tokenId, String secret) {
        super(cert);
        expectAuthorization("PVEAPIToken=" + tokenId + "=" + secret);
    }

    public FakePve cluster(String name) {
        cluster = name;
        return this;
    }

    /** Send integers and booleans as numeric strings, as Perl sometimes does. */
    public FakePve stringNumbers(boolean b) {
        stringNumbers = b;
        return this;
    }

    public FakePve node(String name) {
        return node(name, "online");
    }

    public synchronized FakePve node(String name, String status) {
        nodes.put(name, status);
        storages.computeIfAbsent(name, k -> new LinkedHashMap<>());
        return this;
    }

    /** A backup storage visible on the given nodes (shared: one content list for all). */
    public synchronized FakePve storage(String id, String type, boolean shared, String... onNodes) {
        for (String n : onNodes) {
            node(n);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("storage", id);
            m.put("type", type);
            m.put("content", "backup");
            m.put("shared", shared || type.equals("pbs") || type.equals("nfs") ? 1 : 0);
            m.put("active", 1);
            m.put("enabled", 1);
            m.put("total", 7999999999999L);
            m.put("used", 2400000000000L);
            m.put("avail", 5599999999999L);
            storages.get(n).put(id, m);
        }
        return this;
    }

    /** A {@code pbs} storage on the given nodes, pointing at server:port/datastore[/namespace]. */
    public synchronized FakePve pbsStorage(String id, String server, int port, String datastore, String namespace,
                                           String... onNodes) {
        return pinnedPbsStorage(id, server, port, datastore, namespace, null, onNodes);
    }

    /**
     * A {@code pbs} storage pinning the server's certificate ({@code fingerprint}), as PVE does for
     * self-signed PBS certificates: the server may be named by an address the auditor never uses
     * (NAT, port forward) or be another PBS altogether.
     */
    public synchronized FakePve pinnedPbsStorage(String id, String server, int port, String datastore, String namespace,
                                                 String fingerprint, String... onNodes) {
        storage(id, "pbs", true, onNodes);
        Map<String, Object> cfg = new LinkedHashMap<>();
        cfg.put("storage", id);
        cfg.put("type", "pbs");
        cfg.put("server", server);
        cfg.put("datastore", datastore);
        if (port != 8007) {
            cfg.put("port", port);
        }
        if (namespace != null && !namespace.isEmpty()) {
            cfg.put("namespace", namespace);
        }
        cfg.put("username", "pve@pbs!lab");
        if (fingerprint != null) {
            cfg.put("fingerprint", fingerprint);
        }
        cfg.put("content", "backup");
        cfg.put("shared", 1);
        storageConfigs.put(id, cfg);
        return this;
    }

    /** Content of a shared storage (every node lists the same). */
    public synchronized FakePve content(String storage, List<Map<String, Object>> items) {
        content.put(storage, new ArrayList<>(items));
        return this;
    }

    /** Content of a node-local storage. */
    public synchronized FakePve localContent(String node, String storage, List<Map<String, Object>> items) {
        content.put(node + "/" + storage, new ArrayList<>(items));
        return this;
    }

    /** A vzdump file item as {@code GET …/content} lists it. */
    public static Map<String, Object> vzdump(String storage, String fileName, long vmid, long ctime, long size) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("volid", storage + ":backup/" + fileName);
        m.put("content", "backup");
        String fmt = fileName.replaceFirst("^vzdump-[a-z]+-[0-9]+-[0-9_]+\\.", "");
        m.put("format", fmt);
        m.put("subtype", fileName.startsWith("vzdump-qemu-") ? "qemu" : fileName.startsWith("vzdump-lxc-") ? "lxc" : "unknown");
        m.put("vmid", vmid);
        m.put("ctime", ctime);
        m.put("size", size);
        return m;
    }

    public synchronized FakePve guest(long vmid, String type, String node, String name) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", type + "/" + vmid);
        m.put("vmid", vmid);
        m.put("name", name);
        m.put("node", node);
        m.put("type", type);
        m.put("status", "running");
        m.put("template", 0);
        guests.add(m);
        return this;
    }

    /** A template, or a guest with tags (PVE joins them with ';'). */
    public synchronized FakePve guest(long vmid, String type, String node, String name, boolean template, String tags) {
        guest(vmid, type, node, name);
        Map<String, Object> m = guests.get(guests.size() - 1);
        m.put("template", template ? 1 : 0);
        if (tags != null) {
            m.put("tags", tags);
        }
        return this;
    }

    /**
     * A finished vzdump task of a node: {@code vmid} null for a job over several guests;
     * {@code status} {@code OK}, {@code WARNINGS: n} or the error message.
     */
    public synchronized FakePve vzdumpTask(String node, Long vmid, long start, long end, String status) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("upid", String.format("UPID:%s:0000%04X:00ABCDEF:%08X:vzdump:%s:root@pam:", node, (int) (start % 0xFFFF),
                start, vmid == null ? "" : vmid.toString()));
        m.put("node", node);
        m.put("pid", 4242);
        m.put("pstart", 11259375);
        m.put("starttime", start);
        m.put("type", "vzdump");
        m.put("id", vmid == null ? "" : vmid.toString());
        m.put("user", "root@pam");
        m.put("endtime", end);
        m.put("status", status);
        tasks.computeIfAbsent(node, k -> new ArrayList<>()).add(m);
        return this;
    }

    public synchronized FakePve snapshot(String type, long vmid, String name, long snaptime) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("description", "");
        m.put("snaptime", snaptime);
        snapshots.computeIfAbsent(type + "/" + vmid, k -> new ArrayList<>()).add(m);
        return this;
    }

    @Override
    protected void unauthorized(HttpExchange ex) throws IOException {
        ex.getResponseHeaders().set("Content-Type", "application/json;charset=UTF-8");
        ex.sendResponseHeaders(401, -1);
    }

    @Override
    protected void error(HttpExchange ex, int status, String message) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("data", null);
        if (message != null) {
            m.put("message", message + "\n");
        }
        byte[] b = JSON.writeValueAsBytes(m);
        ex.getResponseHeaders().set("Content-Type", "application/json;charset=UTF-8");
        ex.sendResponseHeaders(status, b.length);
        ex.getResponseBody().write(b);
    }

    private Object perl(Object v) {
        if (!stringNumbers) {
            return v;
        }
        if (v instanceof Number n) {
            return n.toString();
        }
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, x) -> out.put((String) k, k.equals("vmid") || k.equals("snaptime") || k.equals("ctime")
                    || k.equals("size") || k.equals("shared") || k.equals("active") ? perl(x) : x));
            return out;
        }
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            l.forEach(x -> out.add(perl(x)));
            return out;
        }
        return v;
    }

    @Override
    protected synchronized void handle(HttpExchange ex, String path, Map<String, String> q) throws IOException {
        String[] p = path.split("/");
        if (path.equals("/version")) {
            data(ex, Map.of("version", version, "release", version.substring(0, version.lastIndexOf('.')),
                    "repoid", "faa83925c9641325"), null);
        } else if (path.equals("/cluster/status")) {
            List<Object> out = new ArrayList<>();
            out.add(Map.of("type", "cluster", "name", cluster, "nodes", nodes.size(), "quorate", 1, "version", 3, "id", "cluster"));
            for (String n : nodes.keySet()) {
                out.add(Map.of("type", "node", "name", n, "online", 1, "id", "node/" + n));
            }
            data(ex, out, null);
        } else if (path.equals("/nodes")) {
            List<Object> out = new ArrayList<>();
            nodes.forEach((n, st) -> out.add(Map.of("node", n, "status", st)));
            data(ex, out, null);
        } else if (path.equals("/cluster/resources")) {
            data(ex, perl(guests), null);
        } else if (p.length == 3 && p[1].equals("storage")) {
            Map<String, Object> cfg = storageConfigs.get(p[2]);
            if (cfg == null) {
                error(ex, 500, "storage '" + p[2] + "' does not exist");
            } else {
                data(ex, cfg, null);
            }
        } else if (p.length == 4 && p[1].equals("nodes") && p[3].equals("storage")) {
            Map<String, Map<String, Object>> st = storages.get(p[2]);
            if (st == null) {
                error(ex, 500, "hostname lookup '" + p[2] + "' failed - failed to get address info for: " + p[2]);
            } else {
                data(ex, perl(new ArrayList<>(st.values())), null);
            }
        } else if (p.length == 6 && p[1].equals("nodes") && p[3].equals("storage") && p[5].equals("content")) {
            Map<String, Map<String, Object>> st = storages.get(p[2]);
            if (st == null || !st.containsKey(p[4])) {
                error(ex, 500, "storage '" + p[4] + "' does not exist");
                return;
            }
            boolean shared = !"0".equals(String.valueOf(st.get(p[4]).get("shared")));
            List<Map<String, Object>> items = shared ? content.get(p[4]) : content.get(p[2] + "/" + p[4]);
            data(ex, perl(items == null ? List.of() : items), null);
        } else if (p.length == 4 && p[1].equals("nodes") && p[3].equals("tasks")) {
            String filter = q.getOrDefault("typefilter", "");
            long since = Long.parseLong(q.getOrDefault("since", "0"));
            List<Object> out = new ArrayList<>();
            for (Map<String, Object> t : tasks.getOrDefault(p[2], List.of())) {
                if (((String) t.get("type")).contains(filter) && ((Number) t.get("starttime")).longValue() >= since) {
                    out.add(t);
                }
            }
            data(ex, perl(out), Map.of("total", out.size()));
        } else if (p.length == 6 && p[1].equals("nodes") && p[5].equals("snapshot")) {
            List<Object> out = new ArrayList<>(snapshots.getOrDefault(p[3] + "/" + p[4], List.of()));
            Map<String, Object> cur = new LinkedHashMap<>();
            cur.put("name", "current");
            cur.put("description", "You are here!");
            cur.put("running", 1);
            cur.put("digest", "8d3a1c5e7f9b0a2c4e6f8a0b2c4d6e8f0a1b3c5d");
            out.add(cur);
            data(ex, perl(out), null);
        } else {
            error(ex, 501, "Method 'GET " + path + "' not implemented");
        }
    }
}
