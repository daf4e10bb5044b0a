package io.plakar.pve.plugin.reliability;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The strict shape of every command the fake node may receive. A token outside these
 * patterns means text reached a command without being validated (or re-formatted) first.
 * Paths may only be the configured dump directories (exactly, one argv element) or a
 * canonical dump name inside one.
 */
final class ArgvAllowList {
    static final Pattern VMID = Pattern.compile("[1-9][0-9]{2,8}");
    /** No whitespace, quotes, shell metacharacters, control characters or non-ASCII. */
    static final Pattern SAFE = Pattern.compile("[A-Za-z0-9._,:/=@+-]+");
    static final Pattern OPTION = Pattern.compile("--[a-z][a-z0-9-]*");
    static final Pattern API_PATH = Pattern.compile("(/[A-Za-z0-9._-]+){1,6}");
    static final Pattern PRIVATE_DIR = Pattern.compile("\\.plakar-[0-9a-f]{16}");
    static final Pattern DUMP = Pattern.compile("vzdump-(qemu|lxc)-[1-9][0-9]{2,8}-\\d{4}_\\d\\d_\\d\\d-\\d\\d_\\d\\d_\\d\\d\\.(vma|tar)(\\.(zst|gz|lzo))?");
    static final Set<String> QM = Set.of("status", "config", "stop", "start", "shutdown", "unlock", "list", "destroy", "set");
    static final Set<String> PCT = Set.of("status", "config", "stop", "start", "shutdown", "unlock", "list", "destroy", "set", "restore");

    private ArgvAllowList() {
    }

    /** Every argv (tool first) that does not match; empty when all are fine. */
    static List<String> violations(List<List<String>> argvs, Set<String> dumpDirs) {
        List<String> bad = new ArrayList<>();
        for (List<String> a : argvs) {
            String why = check(a, dumpDirs);
            if (why != null) {
                bad.add(why + ": " + a);
            }
        }
        return bad;
    }

    static String check(List<String> a, Set<String> dumpDirs) {
        String tool = a.get(0);
        List<String> rest = a.subList(1, a.size());
        switch (tool) {
            case "vzdump" -> {
                if (rest.isEmpty() || !VMID.matcher(rest.get(0)).matches()) {
                    return "vzdump without a vmid first";
                }
                return options(rest.subList(1, rest.size()), dumpDirs);
            }
            case "pvesh" -> {
                if (rest.size() < 2 || !rest.get(0).equals("get") || !API_PATH.matcher(rest.get(1)).matches()) {
                    return "pvesh other than get <api path>";
                }
                return options(rest.subList(2, rest.size()), dumpDirs);
            }
            case "qm", "pct" -> {
                if (rest.isEmpty() || !(tool.equals("qm") ? QM : PCT).contains(rest.get(0))) {
                    return tool + " subcommand not allowed";
                }
                List<String> args = rest.subList(1, rest.size());
                if (!args.isEmpty() && !args.get(0).startsWith("--") && !VMID.matcher(args.get(0)).matches()) {
                    return "not a vmid";
                }
                if (rest.get(0).equals("restore")) {
                    if (args.size() < 2 || !archive(args.get(1), dumpDirs)) {
                        return "pct restore of an archive outside dump_dir";
                    }
                    return options(args.subList(2, args.size()), dumpDirs);
                }
                return options(args.isEmpty() || args.get(0).startsWith("--") ? args : args.subList(1, args.size()), dumpDirs);
            }
            case "qmrestore" -> {
                if (rest.size() < 2 || !archive(rest.get(0), dumpDirs) || !VMID.matcher(rest.get(1)).matches()) {
                    return "qmrestore <archive> <vmid> expected";
                }
                return options(rest.subList(2, rest.size()), dumpDirs);
            }
            default -> {
                return "unknown tool";
            }
        }
    }

    static boolean archive(String s, Set<String> dumpDirs) {
        if (s.equals("-")) {
            return true;
        }
        int slash = s.lastIndexOf('/');
        return slash > 0 && inDumpDir(s.substring(0, slash), dumpDirs) && DUMP.matcher(s.substring(slash + 1)).matches();
    }

    /** A configured dump_dir, or one of the plugin's private run directories directly inside one. */
    static boolean inDumpDir(String dir, Set<String> dumpDirs) {
        if (dumpDirs.contains(dir)) {
            return true;
        }
        int slash = dir.lastIndexOf('/');
        return slash > 0 && dumpDirs.contains(dir.substring(0, slash))
                && PRIVATE_DIR.matcher(dir.substring(slash + 1)).matches();
    }

    /** --name value pairs; a value is SAFE, or exactly a configured dump directory after --dumpdir. */
    static String options(List<String> opts, Set<String> dumpDirs) {
        for (int i = 0; i < opts.size(); i++) {
            String o = opts.get(i);
            if (!OPTION.matcher(o).matches()) {
                return "not an option: " + o;
            }
            if (i + 1 >= opts.size() || opts.get(i + 1).startsWith("--")) {
                return "option without a value: " + o;
            }
            String v = opts.get(++i);
            if (o.equals("--dumpdir")) {
                if (!inDumpDir(v, dumpDirs)) {
                    return "--dumpdir is not a configured dump_dir";
                }
            } else if (!SAFE.matcher(v).matches()) {
                return "unsafe value for " + o;
            }
        }
        return null;
    }
}
