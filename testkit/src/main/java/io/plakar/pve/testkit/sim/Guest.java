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
        return MiniJson.write(toMap());
    }
}
