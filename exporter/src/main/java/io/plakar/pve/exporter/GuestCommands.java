package io.plakar.pve.exporter;

import io.plakar.pve.proxmox.GuestType;
import io.plakar.pve.runner.CommandResult;
import io.plakar.pve.runner.Runner;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The guest commands a drill and a link_down restore need beyond {@link NodeControl}: read the
 * config, tag, disconnect NICs, ask the guest agent, destroy with disks. argv lists are made by
 * static methods (unit-tested); positionals first, booleans as {@code --flag 1}.
 */
final class GuestCommands {
    private static final Duration SHORT = Duration.ofMinutes(2);
    private static final Duration DESTROY = Duration.ofMinutes(10);
    private static final Pattern NET = Pattern.compile("^net\\d+$");

    private final Runner runner;

    GuestCommands(Runner runner) {
        this.runner = runner;
    }

    static List<String> configArgv(GuestType t, int vmid) {
        return List.of(NodeControl.tool(t), "config", Integer.toString(vmid));
    }

    static List<String> tagArgv(GuestType t, int vmid, String tags) {
        return List.of(NodeControl.tool(t), "set", Integer.toString(vmid), "--tags", tags);
    }

    static List<String> pingArgv(int vmid) {
        return List.of("qm", "guest", "cmd", Integer.toString(vmid), "ping");
    }

    /** Destroy with every disk the config references or owns: a drill guest must leave nothing. */
    static List<String> destroyArgv(GuestType t, int vmid) {
        return List.of(NodeControl.tool(t), "destroy", Integer.toString(vmid), "--purge", "1");
    }

    /**
     * One {@code set} that disconnects every NIC of {@code config}, keeping each one's other
     * settings (MAC, model, VLAN) so the guest is otherwise what the dump holds. Empty when the
     * guest has no NIC.
     *
     * <p>VMs: {@code link_down=1} (qemu-server netX; the virtual cable is unplugged, the NIC still
     * exists, facts §12.7). Containers: the bridge is removed instead ({@code bridge=} dropped), which
     * every pve-container version accepts; {@code link_down} for containers exists only in recent
     * versions (UNCONFIRMED per version), and a veth without a bridge reaches no network either.
     */
    static List<String> isolateArgv(GuestType t, int vmid, Map<String, String> config) {
        List<String> a = new ArrayList<>(List.of(NodeControl.tool(t), "set", Integer.toString(vmid)));
        for (Map.Entry<String, String> e : config.entrySet()) {
            if (NET.matcher(e.getKey()).matches()) {
                a.add("--" + e.getKey());
                a.add(t == GuestType.QEMU ? withLinkDown(e.getValue()) : withoutBridge(e.getValue()));
            }
        }
        return a.size() == 3 ? List.of() : a;
    }

    static String withLinkDown(String net) {
        List<String> parts = new ArrayList<>();
        for (String p : net.split(",")) {
            if (!p.isBlank() && !p.startsWith("link_down=")) {
                parts.add(p);
            }
        }
        parts.add("link_down=1");
        return String.join(",", parts);
    }

    static String withoutBridge(String net) {
        List<String> parts = new ArrayList<>();
        for (String p : net.split(",")) {
            if (!p.isBlank() && !p.startsWith("bridge=")) {
                parts.add(p);
            }
        }
        return String.join(",", parts);
    }

    /** Whether a config's {@code agent:} line enables the QEMU guest agent ({@code 1} or {@code enabled=1}). */
    static boolean agentEnabled(Map<String, String> config) {
        String a = config.get("agent");
        if (a == null) {
            return false;
        }
        String first = a.split(",")[0].strip();
        return first.equals("1") || first.equals("enabled=1") || first.equals("on") || first.equals("yes");
    }

    /** Whether a config's {@code tags:} line holds {@code tag} (PVE separates tags with ';', ',' or spaces). */
    static boolean hasTag(Map<String, String> config, String tag) {
        String t = config.get("tags");
        if (t == null) {
            return false;
        }
        for (String x : t.split("[;, ]+")) {
            if (x.equals(tag)) {
                return true;
            }
        }
        return false;
    }

    /** The main section of {@code qm/pct config} (snapshot sections start with '[' and are left out). */
    static Map<String, String> parseConfig(String text) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            if (line.startsWith("[")) {
                break;
            }
            int c = line.indexOf(':');
            if (c > 0 && !line.startsWith("#")) {
                out.put(line.substring(0, c).strip(), line.substring(c + 1).strip());
            }
        }
        return out;
    }

    Map<String, String> config(GuestType t, int vmid) throws IOException, InterruptedException {
        return parseConfig(check(configArgv(t, vmid), SHORT).stdout());
    }

    void tag(GuestType t, int vmid, String tags) throws IOException, InterruptedException {
        check(tagArgv(t, vmid, tags), SHORT);
    }

    /** Disconnects every NIC; returns how many there were. */
    int isolate(GuestType t, int vmid) throws IOException, InterruptedException {
        List<String> argv = isolateArgv(t, vmid, config(t, vmid));
        if (argv.isEmpty()) {
            return 0;
        }
        check(argv, SHORT);
        return (argv.size() - 3) / 2;
    }

    /** One guest agent ping: null when it answered, else its error line. */
    String ping(int vmid) throws IOException, InterruptedException {
        CommandResult r = runner.run(pingArgv(vmid), SHORT);
        return r.ok() ? null : r.lastErrorLine();
    }

    void destroy(GuestType t, int vmid) throws IOException, InterruptedException {
        check(destroyArgv(t, vmid), DESTROY);
    }

    private CommandResult check(List<String> argv, Duration timeout) throws IOException, InterruptedException {
        CommandResult r = runner.run(argv, timeout);
        if (!r.ok()) {
            throw new IOException(String.join(" ", argv.subList(0, Math.min(3, argv.size()))) + " failed: " + r.lastErrorLine());
        }
        return r;
    }
}
