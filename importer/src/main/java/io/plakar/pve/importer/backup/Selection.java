package io.plakar.pve.importer.backup;

import io.plakar.pve.config.ConfigReader;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which guests a backup covers: exactly one of {@code vmid=101[,102]}, {@code pool=NAME},
 * {@code all} / {@code all=true}; {@code exclude=103,104} only with all or pool.
 */
public sealed interface Selection {
    Pattern VMID = Pattern.compile("[1-9][0-9]{2,8}");
    Pattern POOL = Pattern.compile("[A-Za-z0-9.\\-_]+(?:/[A-Za-z0-9.\\-_]+){0,2}");
    List<String> KEYS = List.of("vmid", "pool", "all", "exclude");

    /** Explicit guests, in the order given, duplicates removed. Templates are included (asked for by id). */
    record Vmids(List<Integer> vmids) implements Selection {
        public Vmids {
            vmids = List.copyOf(vmids);
        }
    }

    record Pool(String pool, Set<Integer> exclude) implements Selection {
        public Pool {
            exclude = Set.copyOf(exclude);
        }
    }

    record All(Set<Integer> exclude) implements Selection {
        public All {
            exclude = Set.copyOf(exclude);
        }
    }

    /** Short description for logs: {@code vmid=101,102}, {@code pool=prod}, {@code all}. */
    default String describe() {
        if (this instanceof Vmids v) {
            return "vmid=" + String.join(",", v.vmids().stream().map(String::valueOf).toList());
        }
        if (this instanceof Pool p) {
            return "pool=" + p.pool() + (p.exclude().isEmpty() ? "" : " exclude=" + p.exclude());
        }
        All a = (All) this;
        return "all" + (a.exclude().isEmpty() ? "" : " exclude=" + a.exclude());
    }

    /**
     * Reads the selection keys. Problems are reported to {@code r} (so the user sees them
     * with every other config problem); returns null when there is no valid selection.
     */
    static Selection read(ConfigReader r) {
        List<Integer> vmids = r.string("vmid").map(v -> vmidList(r, "vmid", v)).orElse(null);
        String pool = r.string("pool").orElse(null);
        if (pool != null && !POOL.matcher(pool).matches()) {
            r.problem("pool", "must be a pool id (letters, digits, '.', '-', '_', up to 3 levels separated by '/'), got "
                    + r.quote("pool", pool));
            pool = "";
        }
        Boolean all = r.bool("all").orElse(null);
        List<Integer> exclude = r.string("exclude").map(v -> vmidList(r, "exclude", v)).orElse(null);

        List<String> chosen = new ArrayList<>();
        if (r.has("vmid")) {
            chosen.add("vmid");
        }
        if (r.has("pool")) {
            chosen.add("pool");
        }
        if (Boolean.TRUE.equals(all)) {
            chosen.add("all");
        }
        if (chosen.size() != 1) {
            r.problem((chosen.isEmpty() ? "no guests selected" : "several selections given (" + String.join(", ", chosen) + ")")
                    + ": set exactly one of vmid=<id>[,<id>...], pool=<name> or all=true");
            return null;
        }
        if (r.has("exclude") && chosen.get(0).equals("vmid")) {
            r.problem("exclude", "only applies to all=true or pool=<name>, not to vmid");
            return null;
        }
        Set<Integer> ex = exclude == null ? Set.of() : new LinkedHashSet<>(exclude);
        return switch (chosen.get(0)) {
            case "vmid" -> vmids == null || vmids.isEmpty() ? null : new Vmids(List.copyOf(new LinkedHashSet<>(vmids)));
            case "pool" -> pool == null || pool.isEmpty() || exclude == null && r.has("exclude") ? null : new Pool(pool, ex);
            default -> exclude == null && r.has("exclude") ? null : new All(ex);
        };
    }

    private static List<Integer> vmidList(ConfigReader r, String key, String value) {
        List<Integer> out = new ArrayList<>();
        List<String> bad = new ArrayList<>();
        for (String part : value.split(",", -1)) {
            String p = part.strip();
            if (VMID.matcher(p).matches()) {
                out.add(Integer.parseInt(p));
            } else {
                bad.add(r.quote(key, p));
            }
        }
        if (!bad.isEmpty() || out.isEmpty()) {
            r.problem(key, "must be a VMID (100-999999999) or a comma-separated list of VMIDs, got "
                    + r.quote(key, value));
            return null;
        }
        return out;
    }
}
