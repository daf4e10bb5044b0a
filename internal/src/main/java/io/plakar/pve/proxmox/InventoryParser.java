package io.plakar.pve.proxmox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Turns {@code pvesh ... --output-format json} output into guests and nodes. Entries that
 * are not guests (storage members of a pool) or that lack a vmid/type are skipped; numbers
 * are read leniently (Perl).
 */
public final class InventoryParser {
    private static final ObjectMapper JSON = new ObjectMapper();

    private InventoryParser() {
    }

    /** {@code /cluster/resources --type vm}: an array of guest entries. */
    public static List<Guest> clusterResources(String json) throws IOException {
        JsonNode root = JSON.readTree(json);
        if (root == null || !root.isArray()) {
            throw new IOException("unexpected /cluster/resources output: not a JSON array");
        }
        return guests(root);
    }

    /**
     * A pool's guests, from either shape: {@code /pools --poolid X} (an array with the pool
     * object, PVE >= 8.1) or {@code /pools/X} (one object, deprecated). Empty when the answer
     * holds no entry for {@code poolId} (an old node that ignored the filter and listed every
     * pool without members): the caller then asks the other way.
     */
    public static Optional<List<Guest>> poolMembers(String json, String poolId) throws IOException {
        JsonNode root = JSON.readTree(json);
        JsonNode pool = root;
        if (root != null && root.isArray()) {
            pool = null;
            for (JsonNode e : root) {
                if (poolId.equals(ProxmoxJson.text(e.get("poolid")))) {
                    pool = e;
                    break;
                }
            }
            if (pool == null || !pool.has("members")) {
                return Optional.empty();
            }
        }
        if (pool == null || !pool.isObject()) {
            throw new IOException("unexpected pool output: not a JSON object");
        }
        JsonNode members = pool.get("members");
        if (members == null || members.isNull()) {
            return Optional.of(List.of());
        }
        if (!members.isArray()) {
            throw new IOException("unexpected pool output: members is not an array");
        }
        return Optional.of(guests(members));
    }

    /** {@code /cluster/status}: the node entries (the cluster entry is skipped). */
    public static List<ClusterNode> clusterStatus(String json) throws IOException {
        JsonNode root = JSON.readTree(json);
        if (root == null || !root.isArray()) {
            throw new IOException("unexpected /cluster/status output: not a JSON array");
        }
        List<ClusterNode> nodes = new ArrayList<>();
        for (JsonNode e : root) {
            if (!"node".equals(ProxmoxJson.text(e.get("type")))) {
                continue;
            }
            String name = ProxmoxJson.text(e.get("name"));
            if (name == null || name.isEmpty()) {
                continue;
            }
            String ip = ProxmoxJson.text(e.get("ip"));
            nodes.add(new ClusterNode(name, ip == null ? "" : ip,
                    ProxmoxJson.bool(e.get("local"), false), ProxmoxJson.bool(e.get("online"), true)));
        }
        return nodes;
    }

    /** {@code /version}: the full version string (e.g. 8.2.4). */
    public static String version(String json) throws IOException {
        JsonNode root = JSON.readTree(json);
        String v = root == null ? null : ProxmoxJson.text(root.get("version"));
        if (v == null || v.isEmpty()) {
            throw new IOException("unexpected /version output: no version field");
        }
        return v;
    }

    private static List<Guest> guests(JsonNode array) {
        List<Guest> out = new ArrayList<>();
        for (JsonNode e : array) {
            String type = ProxmoxJson.text(e.get("type"));
            if (!"qemu".equals(type) && !"lxc".equals(type)) {
                continue; // storage members of a pool, or a type we do not back up
            }
            OptionalLong vmid = ProxmoxJson.integer(e.get("vmid"));
            if (vmid.isEmpty()) {
                vmid = vmidFromId(ProxmoxJson.text(e.get("id")));
            }
            if (vmid.isEmpty() || vmid.getAsLong() < 100 || vmid.getAsLong() > 999_999_999) {
                continue;
            }
            String node = ProxmoxJson.text(e.get("node"));
            out.add(new Guest((int) vmid.getAsLong(), GuestType.fromId(type), node == null ? "" : node,
                    ProxmoxJson.text(e.get("name")), ProxmoxJson.text(e.get("status")),
                    ProxmoxJson.bool(e.get("template"), false)));
        }
        return out;
    }

    private static OptionalLong vmidFromId(String id) {
        if (id == null) {
            return OptionalLong.empty();
        }
        int slash = id.indexOf('/');
        if (slash < 0) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(id.substring(slash + 1)));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }
}
