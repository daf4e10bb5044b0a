package io.plakar.pve.importer.audit.api;

import io.plakar.pve.proxmox.ProxmoxJson;
import com.fasterxml.jackson.databind.JsonNode;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A read-only Proxmox Backup Server API client (base {@code https://host:8007/api2/json}),
 * authenticated with an API token: {@code Authorization: PBSAPIToken=<id>:<secret>}.
 */
public final class PbsClient implements AutoCloseable {
    private final RestClient http;
    private final Interner interner = new Interner();

    public PbsClient(String host, int port, String tokenId, String tokenSecret, TlsSettings tls, RestClient.Options options) {
        this.http = new RestClient(RestClient.Flavor.PBS, "PBS " + host + ":" + port, host, port,
                "PBSAPIToken=" + tokenId + ":" + tokenSecret, "token_id/token_secret", tls, options);
    }

    public RestClient http() {
        return http;
    }

    public PbsTypes.Version version() throws ApiException {
        JsonNode d = data(http.get("/version", null), "/version");
        return new PbsTypes.Version(ProxmoxJson.text(d, "version"), ProxmoxJson.text(d, "release"));
    }

    /**
     * The server's node name: {@code GET /nodes}, or — API tokens usually get 403 there — the
     * second field of a task UPID from {@code GET /nodes/localhost/tasks}. Empty when neither works.
     */
    public Optional<String> nodeName() {
        try {
            JsonNode d = data(http.get("/nodes", null), "/nodes");
            if (d.isArray() && !d.isEmpty() && d.get(0).hasNonNull("node")) {
                return Optional.of(d.get(0).get("node").asText());
            }
        } catch (ApiException e) {
            if (e.kind() == ApiException.Kind.AUTH || e.kind() == ApiException.Kind.TLS) {
                return Optional.empty();
            }
        }
        try {
            Map<String, String> q = new LinkedHashMap<>();
            q.put("limit", "1");
            JsonNode d = data(http.get("/nodes/localhost/tasks", q), "/nodes/localhost/tasks");
            if (d.isArray()) {
                for (JsonNode t : d) {
                    String upid = ProxmoxJson.text(t, "upid");
                    String node = upidNode(upid);
                    if (node != null) {
                        return Optional.of(node);
                    }
                }
            }
        } catch (ApiException ignored) {
            // no task visible: unknown
        }
        return Optional.empty();
    }

    /**
     * Backup tasks since {@code since} (epoch seconds), newest first. PBS names the task's
     * target in {@code worker_id} as {@code <store>:<type>/<id>} (no namespace); task fields are
     * snake_case, unlike the rest of the API.
     */
    public List<Task> backupTasks(long since) throws ApiException {
        Map<String, String> q = new LinkedHashMap<>();
        q.put("typefilter", "backup");
        q.put("since", Long.toString(since));
        q.put("limit", "0");
        List<Task> out = new ArrayList<>();
        for (JsonNode t : data(http.get("/nodes/localhost/tasks", q), "/nodes/localhost/tasks")) {
            if (!"backup".equals(ProxmoxJson.text(t, "worker_type"))) {
                continue;
            }
            long end = ProxmoxJson.integer(t, "endtime", -1);
            out.add(new Task(upidNode(ProxmoxJson.text(t, "upid")), "backup", ProxmoxJson.text(t, "worker_id"),
                    ProxmoxJson.integer(t, "starttime", 0), end < 0 ? null : end, ProxmoxJson.text(t, "status")));
        }
        return out;
    }

    /** {@code UPID:<node>:…} → node, or null. */
    public static String upidNode(String upid) {
        if (upid == null || !upid.startsWith("UPID:")) {
            return null;
        }
        String[] parts = upid.split(":", 3);
        return parts.length >= 3 && !parts[1].isEmpty() ? parts[1] : null;
    }

    public List<PbsTypes.Datastore> datastores() throws ApiException {
        JsonNode d = data(http.get("/admin/datastore", null), "/admin/datastore");
        List<PbsTypes.Datastore> out = new ArrayList<>();
        for (JsonNode n : d) {
            out.add(new PbsTypes.Datastore(ProxmoxJson.text(n, "store"), ProxmoxJson.text(n, "comment"),
                    ProxmoxJson.text(n, "maintenance"), ProxmoxJson.text(n, "mount-status"), ProxmoxJson.text(n, "backend-type")));
        }
        return out;
    }

    /**
     * Namespaces below {@code parent} (included, root = ""), depth-first up to
     * {@code maxDepth} (null = all). Empty when the server has no namespace support
     * (404: PBS older than 2.2, root only).
     */
    public Optional<List<String>> namespaces(String store, String parent, Integer maxDepth) throws ApiException {
        Map<String, String> q = new LinkedHashMap<>();
        if (parent != null && !parent.isEmpty()) {
            q.put("parent", parent);
        }
        if (maxDepth != null) {
            q.put("max-depth", Integer.toString(maxDepth));
        }
        String path = storePath(store) + "/namespace";
        JsonNode body;
        try {
            body = http.get(path, q);
        } catch (ApiException e) {
            if (e.kind() == ApiException.Kind.NOT_FOUND) {
                return Optional.empty();
            }
            throw forbidden(e, store, parent, "Datastore.Audit");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode n : data(body, path)) {
            String ns = ProxmoxJson.text(n, "ns");
            out.add(ns == null ? "" : interner.intern(ns));
        }
        return Optional.of(out);
    }

    public PbsTypes.Status status(String store) throws ApiException {
        String path = storePath(store) + "/status";
        JsonNode d;
        try {
            d = data(http.get(path, Map.of("verbose", "1")), path);
        } catch (ApiException e) {
            throw forbidden(e, store, null, "Datastore.Audit");
        }
        PbsTypes.GcStatus gc = null;
        JsonNode g = d.get("gc-status");
        if (g != null && g.isObject()) {
            gc = new PbsTypes.GcStatus(ProxmoxJson.text(g, "upid"), ProxmoxJson.integer(g, "index-file-count", 0),
                    ProxmoxJson.integer(g, "index-data-bytes", 0), ProxmoxJson.integer(g, "disk-bytes", 0),
                    ProxmoxJson.integer(g, "disk-chunks", 0), ProxmoxJson.integer(g, "removed-bytes", 0),
                    ProxmoxJson.integer(g, "removed-chunks", 0), ProxmoxJson.integer(g, "pending-bytes", 0),
                    ProxmoxJson.integer(g, "pending-chunks", 0), ProxmoxJson.integer(g, "removed-bad", 0),
                    ProxmoxJson.integer(g, "still-bad", 0));
        }
        Map<String, PbsTypes.TypeCount> counts = null;
        JsonNode c = d.get("counts");
        if (c != null && c.isObject()) {
            counts = new LinkedHashMap<>();
            for (var it = c.fields(); it.hasNext(); ) {
                var e = it.next();
                JsonNode v = e.getValue();
                counts.put(e.getKey(), v == null || v.isNull() ? null
                        : new PbsTypes.TypeCount(ProxmoxJson.integer(v, "groups", 0), ProxmoxJson.integer(v, "snapshots", 0)));
            }
        }
        return new PbsTypes.Status(ProxmoxJson.integer(d, "total", 0), ProxmoxJson.integer(d, "used", 0), ProxmoxJson.integer(d, "avail", 0),
                gc, counts, ProxmoxJson.text(d, "backend-type"));
    }

    /** Snapshots of one namespace (not recursive). {@code ns} null or "" = root (no parameter sent). */
    public List<PbsTypes.Snapshot> snapshots(String store, String ns) throws ApiException {
        String path = storePath(store) + "/snapshots";
        Map<String, String> q = ns == null || ns.isEmpty() ? Map.of() : Map.of("ns", ns);
        JsonNode d;
        try {
            d = data(http.get(path, q), path);
        } catch (ApiException e) {
            throw forbidden(e, store, ns, "Datastore.Audit");
        }
        String s = interner.intern(store);
        String n = interner.intern(ns == null ? "" : ns);
        List<PbsTypes.Snapshot> out = new ArrayList<>(d.size());
        for (JsonNode j : d) {
            List<PbsTypes.File> files = new ArrayList<>();
            JsonNode fs = j.get("files");
            if (fs != null && fs.isArray()) {
                for (JsonNode f : fs) {
                    if (f.isTextual()) {
                        files.add(new PbsTypes.File(interner.intern(f.asText()), null, -1));
                    } else {
                        files.add(new PbsTypes.File(interner.intern(ProxmoxJson.text(f, "filename")),
                                interner.intern(ProxmoxJson.text(f, "crypt-mode")), ProxmoxJson.integer(f, "size", -1)));
                    }
                }
            }
            JsonNode v = j.get("verification");
            String vState = v != null && v.isObject() ? interner.intern(ProxmoxJson.text(v, "state")) : null;
            String vUpid = v != null && v.isObject() ? interner.intern(ProxmoxJson.text(v, "upid")) : null;
            out.add(new PbsTypes.Snapshot(s, n, interner.intern(ProxmoxJson.text(j, "backup-type")),
                    interner.intern(ProxmoxJson.text(j, "backup-id")), ProxmoxJson.integer(j, "backup-time", 0),
                    ProxmoxJson.integer(j, "size", -1), List.copyOf(files), interner.intern(ProxmoxJson.text(j, "owner")),
                    ProxmoxJson.bool(j, "protected", false), ProxmoxJson.text(j, "comment"), vState, vUpid,
                    interner.intern(ProxmoxJson.text(j, "fingerprint"))));
        }
        return out;
    }

    /** The decoded {@code client.log.blob} of a snapshot (the vzdump per-guest log). */
    public String clientLog(String store, String ns, String type, String id, long time) throws ApiException {
        Map<String, String> q = new LinkedHashMap<>();
        if (ns != null && !ns.isEmpty()) {
            q.put("ns", ns);
        }
        q.put("backup-type", type);
        q.put("backup-id", id);
        q.put("backup-time", Long.toString(time));
        q.put("file-name", "client.log.blob");
        try {
            return new String(http.getBytes(storePath(store) + "/download-decoded", q), StandardCharsets.UTF_8);
        } catch (ApiException e) {
            throw forbidden(e, store, ns, "Datastore.Read");
        }
    }

    private static String storePath(String store) {
        return "/admin/datastore/" + RestClient.enc(store);
    }

    /** Adds the privilege and ACL path to a 403 so the user knows what to grant. */
    private static ApiException forbidden(ApiException e, String store, String ns, String privilege) {
        if (e.kind() != ApiException.Kind.FORBIDDEN) {
            return e;
        }
        String acl = "/datastore/" + store + (ns == null || ns.isEmpty() ? "" : "/" + ns);
        return new ApiException(e.kind(), e.status(), "permission denied: the token needs " + privilege + " on " + acl
                + " (" + e.getMessage() + ")", e);
    }

    static JsonNode data(JsonNode body, String path) throws ApiException {
        JsonNode d = body.get("data");
        if (d == null || d.isNull()) {
            throw new ApiException(ApiException.Kind.MALFORMED, 200, path + ": response has no data");
        }
        return d;
    }

    @Override
    public void close() {
        http.close();
    }
}
