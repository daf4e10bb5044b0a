package io.plakar.pve.testkit.sim;

import java.util.LinkedHashMap;
import java.util.Map;

/** Mutable description of one simulated guest ({@code guests/<vmid>.json}). */
public final class Guest {
    public int vmid;
    /** {@code qemu} or {@code lxc}. */
    public String type = "qemu";
    public String node = "pve1";
    public String name;
    /** {@code running}, {@code stopped}, {@code paused}(qm only) or {@code unknown}. */
    public String status = "stopped";
    public long diskBytes = 8L << 20;
    public long seed;
    public String pool;
    public int template;
    public String lock;
    public String storage = "local-lvm";
    public int protection;
    /** Extra keys stored verbatim (e.g. tags, hastate, maxdisk, memory, cores). */
    public final Map<String, Object> extra = new LinkedHashMap<>();

    public Guest(int vmid, String type, String name) {
        this.vmid = vmid;
        this.type = type;
        this.name = name;
        this.seed = vmid;
    }

    public static Guest qemu(int vmid, String name) {
        return new Guest(vmid, "qemu", name);
    }

    public static Guest lxc(int vmid, String name) {
        return new Guest(vmid, "lxc", name);
    }

    public Guest node(String v) { this.node = v; return this; }
    public Guest name(String v) { this.name = v; return this; }
    public Guest status(String v) { this.status = v; return this; }
    public Guest running() { this.status = "running"; return this; }
    public Guest stopped() { this.status = "stopped"; return this; }
    public Guest diskBytes(long v) { this.diskBytes = v; return this; }
    public Guest seed(long v) { this.seed = v; return this; }
    public Guest pool(String v) { this.pool = v; return this; }
    public Guest template(boolean v) { this.template = v ? 1 : 0; return this; }
    public Guest lock(String v) { this.lock = v; return this; }
    public Guest storage(String v) { this.storage = v; return this; }
    public Guest protection(boolean v) { this.protection = v ? 1 : 0; return this; }
    public Guest put(String key, Object value) { this.extra.put(key, value); return this; }

    /** Builder: QEMU guest agent configured ({@code agent: 1}; {@code qm guest cmd} answers when running). */
    public Guest agent(boolean v) { this.extra.put("agent", v ? 1 : 0); return this; }
    /** Builder: the guest OS ignores ACPI shutdown: {@code qm/pct shutdown} time out, the guest stays running. */
    public Guest ignoreAcpi(boolean v) { this.extra.put("ignore_acpi", v ? 1 : 0); return this; }
    /** Builder: the guest starts but never boots: its agent never answers ({@code QEMU guest agent is not running}). */
    public Guest neverBoots(boolean v) { this.extra.put("never_boots", v ? 1 : 0); return this; }
    /** Builder: {@code tags} ({@code ;}-separated). */
    public Guest tags(String v) { this.extra.put("tags", v); return this; }

    /** The config lock ({@code backup}, {@code create}, …) or null. */
    public String lock() { return lock; }

    /** {@code tags} or null. */
    public String tags() { return (String) extra.get("tags"); }

    /** Volumes the guest owns now (its disks); an emptied list after a forced restore freed them. */
    public java.util.List<String> volumes() {
        Object v = extra.get("volumes");
        if (v == null) {
            return java.util.List.of(storage + (isQemu() ? ":vm-" : ":subvol-") + vmid + "-disk-0");
        }
        return strings(v);
    }

    /** Volumes a restore freed as the old guest's disks ({@code restore_cleanup_oldconf}). */
    public java.util.List<String> freedVolumes() { return strings(extra.get("freed_volumes")); }

    /** Volumes a failed/interrupted restore allocated and destroyed again. */
    public java.util.List<String> destroyedVolumes() { return strings(extra.get("destroyed_volumes")); }

    /** Storage snapshots (e.g. {@code vzdump} while a CT backup runs, or left by a SIGKILLed vzdump). */
    public java.util.List<String> snapshots() { return strings(extra.get("snapshots")); }

    /** NIC config {@code net0 -> "virtio=…,bridge=vmbr0,link_down=1"}; empty when never set (default net0 applies). */
    @SuppressWarnings("unchecked")
    public Map<String, String> nets() {
        Map<String, String> res = new java.util.TreeMap<>();
        Object o = extra.get("net");
        if (o instanceof Map) {
            ((Map<String, Object>) o).forEach((k, v) -> res.put(k, String.valueOf(v)));
        }
        return res;
    }

    /** True when {@code netN} has {@code link_down=1}. */
    public boolean linkDown(String net) {
        String v = nets().get(net);
        return v != null && java.util.Arrays.asList(v.split(",")).contains("link_down=1");
    }

    /** While a qmrestore / pct restore owns the guest: {@code locked}, {@code old-disks-freed}, {@code data}; else null. */
    @SuppressWarnings("unchecked")
    public String restorePhase() {
        Object o = extra.get("restore");
        return o instanceof Map ? (String) ((Map<String, Object>) o).get("phase") : null;
    }

    /** pid of the restore tool that owns the guest (see {@link #restorePhase()}), or -1. */
    @SuppressWarnings("unchecked")
    public long restorePid() {
        Object o = extra.get("restore");
        return o instanceof Map ? ((Number) ((Map<String, Object>) o).get("pid")).longValue() : -1;
    }

    @SuppressWarnings("unchecked")
    private static java.util.List<String> strings(Object v) {
        java.util.List<String> res = new java.util.ArrayList<>();
        if (v instanceof java.util.List) {
            for (Object o : (java.util.List<Object>) v) {
                res.add(String.valueOf(o));
            }
        }
        return res;
    }

    public boolean isQemu() {
        return "qemu".equals(type);
    }

    Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>(extra);
        m.put("vmid", vmid);
        m.put("type", type);
        m.put("node", node);
        if (name != null) {
            m.put("name", name);
        }
        m.put("status", status);
        m.put("template", template);
        m.put("lock", lock);
        m.put("disk_bytes", diskBytes);
        m.put("seed", seed);
        m.put("storage", storage);
        m.put("protection", protection);
        if (pool != null) {
            m.put("pool", pool);
        }
        return m;
    }

    static Guest fromMap(Map<String, Object> m) {
        Map<String, Object> c = new LinkedHashMap<>(m);
        int vmid = ((Number) c.remove("vmid")).intValue();
        Guest g = new Guest(vmid, str(c.remove("type"), "qemu"), (String) c.remove("name"));
        g.node = str(c.remove("node"), "pve1");
        g.status = str(c.remove("status"), "stopped");
        g.template = num(c.remove("template"), 0).intValue();
        g.lock = (String) c.remove("lock");
        g.diskBytes = num(c.remove("disk_bytes"), 8L << 20).longValue();
        g.seed = num(c.remove("seed"), vmid).longValue();
        g.storage = str(c.remove("storage"), "local-lvm");
        g.protection = num(c.remove("protection"), 0).intValue();
        g.pool = (String) c.remove("pool");
        g.extra.putAll(c);
        return g;
    }

    private static String str(Object o, String def) {
        return o == null ? def : o.toString();
    }

    private static Number num(Object o, long def) {
        if (o == null) {
            return def;
        }
        if (o instanceof Number) {
            return (Number) o;
        }
        return Long.parseLong(o.toString());
    }

    @Override
    public String toString() {
        return StateJson.write(toMap());
    }
}
