package io.plakar.pve.importer.audit.api;

import io.plakar.pve.proxmox.ProxmoxJson;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A read-only Proxmox VE API client (base {@code https://host:8006/api2/json}),
 * authenticated with {@code Authorization: PVEAPIToken=<id>=<secret>}. PVE JSON comes
 * from Perl: every number and boolean is read leniently.
 */
public final class PveClient implements AutoCloseable {
    private final RestClient http;
    private final Interner interner = new Interner();

    public PveClient(String host, int port, String tokenId, String tokenSecret, TlsSettings tls, RestClient.Options options) {
        this.http = new RestClient(RestClient.Flavor.PVE, "PVE " + host + ":" + port, host, port,
                "PVEAPIToken=" + tokenId + "=" + tokenSecret, "pve_token_id/pve_token_secret", tls, options);
    }

    public RestClient http() {
        return http;
    }

    public String version() throws ApiException {
        return ProxmoxJson.text(data("/version", null), "version");
    }

    /** The cluster name from {@code /cluster/status}; empty for a single node (no cluster entry). */
    public Optional<String> clusterName() throws ApiException {
        for (JsonNode n : data("/cluster/status", null)) {
            if ("cluster".equals(ProxmoxJson.text(n, "type")) && n.hasNonNull("name")) {
                return Optional.of(n.get("name").asText());
            }
        }
        return Optional.empty();
    }

    /**
     * vzdump tasks of a node since {@code since}: {@code id} is the VMID when the task backed up
     * one guest (empty for a job over several guests), {@code status} is absent while it runs.
     */
    public List<Task> vzdumpTasks(String node, long since) throws ApiException {
        Map<String, String> q = new java.util.LinkedHashMap<>();
        q.put("typefilter", "vzdump");
        q.put("since", Long.toString(since));
        q.put("limit", "0");
        List<Task> out = new ArrayList<>();
        for (JsonNode t : data("/nodes/" + RestClient.enc(node) + "/tasks", q)) {
            if (!"vzdump".equals(ProxmoxJson.text(t, "type"))) {
                continue;
            }
            long end = ProxmoxJson.integer(t, "endtime", -1);
            out.add(new Task(node, "vzdump", ProxmoxJson.text(t, "id"), ProxmoxJson.integer(t, "starttime", 0),
                    end < 0 ? null : end, ProxmoxJson.text(t, "status")));
        }
        return out;
    }

    public List<PveTypes.Node> nodes() throws ApiException {
        List<PveTypes.Node> out = new ArrayList<>();
        for (JsonNode n : data("/nodes", null)) {
            out.add(new PveTypes.Node(ProxmoxJson.text(n, "node"), ProxmoxJson.text(n, "status")));
        }
        return out;
    }

    /** Storages of a node that can hold backups. */
    public List<PveTypes.Storage> backupStorages(String node) throws ApiException {
        List<PveTypes.Storage> out = new ArrayList<>();
        for (JsonNode n : data("/nodes/" + RestClient.enc(node) + "/storage", Map.of("content", "backup"))) {
            Set<String> content = new LinkedHashSet<>();
            String c = ProxmoxJson.text(n, "content");
            if (c != null) {
                for (String s : c.split(",")) {
                    if (!s.isBlank()) {
                        content.add(s.strip());
                    }
                }
            }
            out.add(new PveTypes.Storage(ProxmoxJson.text(n, "storage"), ProxmoxJson.text(n, "type"), content,
                    ProxmoxJson.bool(n, "shared", false), ProxmoxJson.bool(n, "active", true), ProxmoxJson.bool(n, "enabled", true)));
        }
        return out;
    }

    /** Where a {@code pbs} storage points: {@code GET /storage/{storage}}. */
    public PveTypes.PbsStorageConfig pbsStorageConfig(String storage) throws ApiException {
        JsonNode d = data("/storage/" + RestClient.enc(storage), null);
        return new PveTypes.PbsStorageConfig(storage, ProxmoxJson.text(d, "server"), (int) ProxmoxJson.integer(d, "port", 8007),
                ProxmoxJson.text(d, "datastore"), Optional.ofNullable(ProxmoxJson.text(d, "namespace")).orElse(""),
                ProxmoxJson.text(d, "fingerprint"));
    }

    public List<PveTypes.Backup> backups(String node, String storage) throws ApiException {
        String path = "/nodes/" + RestClient.enc(node) + "/storage/" + RestClient.enc(storage) + "/content";
        List<PveTypes.Backup> out = new ArrayList<>();
        for (JsonNode n : data(path, Map.of("content", "backup"))) {
            JsonNode v = n.get("verification");
            out.add(new PveTypes.Backup(ProxmoxJson.text(n, "volid"), interner.intern(ProxmoxJson.text(n, "format")),
                    interner.intern(ProxmoxJson.text(n, "subtype")), ProxmoxJson.integer(n, "vmid", -1), ProxmoxJson.integer(n, "ctime", 0),
                    ProxmoxJson.integer(n, "size", -1), ProxmoxJson.text(n, "notes"), ProxmoxJson.bool(n, "protected", false),
                    v != null && v.isObject() ? interner.intern(ProxmoxJson.text(v, "state")) : null,
                    ProxmoxJson.text(n, "encrypted")));
        }
        return out;
    }

    public List<PveTypes.Guest> guests() throws ApiException {
        List<PveTypes.Guest> out = new ArrayList<>();
        for (JsonNode n : data("/cluster/resources", Map.of("type", "vm"))) {
            String type = ProxmoxJson.text(n, "type");
            if (!"qemu".equals(type) && !"lxc".equals(type)) {
                continue;
            }
            out.add(new PveTypes.Guest(ProxmoxJson.integer(n, "vmid", -1), ProxmoxJson.text(n, "node"), type,
                    ProxmoxJson.text(n, "name"), ProxmoxJson.bool(n, "template", false), tags(ProxmoxJson.text(n, "tags"))));
        }
        return out;
    }

    /** Snapshots of a guest, without the {@code current} pseudo-entry. {@code type}: qemu|lxc. */
    public List<PveTypes.Snapshot> snapshots(String node, String type, long vmid) throws ApiException {
        List<PveTypes.Snapshot> out = new ArrayList<>();
        for (JsonNode n : data("/nodes/" + RestClient.enc(node) + "/" + type + "/" + vmid + "/snapshot", null)) {
            String name = ProxmoxJson.text(n, "name");
            if (name == null || name.equals("current")) {
                continue;
            }
            out.add(new PveTypes.Snapshot(name, ProxmoxJson.integer(n, "snaptime", 0)));
        }
        return out;
    }

    /** PVE joins tags with ';' (older versions also ',' or spaces). */
    private static Set<String> tags(String s) {
        Set<String> out = new LinkedHashSet<>();
        if (s != null) {
            for (String t : s.split("[;,\\s]+")) {
                if (!t.isBlank()) {
                    out.add(t.strip());
                }
            }
        }
        return out;
    }

    private JsonNode data(String path, Map<String, String> query) throws ApiException {
        JsonNode body = http.get(path, query);
        JsonNode d = body.get("data");
        if (d == null || d.isNull()) {
            throw new ApiException(ApiException.Kind.MALFORMED, 200, http.label() + " GET " + path + ": response has no data");
        }
        return d;
    }

    @Override
    public void close() {
        http.close();
    }
}
