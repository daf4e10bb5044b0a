package io.plakar.pve.exporter;

import io.plakar.pve.proxmox.ProxmoxJson;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.plakar.pve.proxmox.GuestType;
import io.plakar.pve.runner.CommandResult;
import io.plakar.pve.runner.Runner;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The Proxmox commands of a restore, run on the target node: {@code qm}/{@code pct status,
 * stop, start} and {@code pvesh} lookups. argv lists only; option syntax per the facts
 * (booleans as {@code --flag 1}, positionals first).
 */
public final class NodeControl {
    private static final Duration SHORT = Duration.ofMinutes(2);
    private static final Duration STOP = Duration.ofMinutes(10);
    private static final ObjectMapper JSON = new ObjectMapper();

    public enum State { ABSENT, STOPPED, RUNNING }

    private final Runner runner;

    public NodeControl(Runner runner) {
        this.runner = runner;
    }

    public Runner runner() {
        return runner;
    }

    static String tool(GuestType type) {
        return type == GuestType.QEMU ? "qm" : "pct";
    }

    /** {@code qm status} / {@code pct status}: absent when the config does not exist on this node. */
    public State status(GuestType type, int vmid) throws IOException, InterruptedException {
        CommandResult r = runner.run(List.of(tool(type), "status", Integer.toString(vmid)), SHORT);
        if (!r.ok()) {
            String all = r.stderr() + "\n" + r.stdout();
            if (all.contains("does not exist")) {
                return State.ABSENT;
            }
            throw new IOException(tool(type) + " status " + vmid + " failed: " + r.lastErrorLine());
        }
        for (String line : r.stdout().split("\n")) {
            String l = line.strip().toLowerCase(Locale.ROOT);
            if (l.startsWith("status:")) {
                String s = l.substring(7).strip();
                return s.equals("stopped") ? State.STOPPED : State.RUNNING; // paused/suspended count as running
            }
        }
        throw new IOException(tool(type) + " status " + vmid + " printed no status: " + r.lastErrorLine());
    }

    /** Stops a guest; "not running" (pct on a stopped CT) is not an error. */
    public void stop(GuestType type, int vmid) throws IOException, InterruptedException {
        CommandResult r = runner.run(List.of(tool(type), "stop", Integer.toString(vmid)), STOP);
        if (!r.ok() && !(r.stderr() + r.stdout()).contains("not running")) {
            throw new IOException(tool(type) + " stop " + vmid + " failed: " + r.lastErrorLine());
        }
    }

    public void start(GuestType type, int vmid) throws IOException, InterruptedException {
        CommandResult r = runner.run(List.of(tool(type), "start", Integer.toString(vmid)), STOP);
        if (!r.ok()) {
            throw new IOException(tool(type) + " start " + vmid + " failed: " + r.lastErrorLine());
        }
    }

    /** A VMID no guest of the cluster uses ({@code pvesh get /cluster/nextid}), or empty. */
    public Optional<Integer> nextFreeId() {
        try {
            CommandResult r = runner.run(List.of("pvesh", "get", "/cluster/nextid", "--output-format", "json"), SHORT);
            if (!r.ok()) {
                return Optional.empty();
            }
            JsonNode n = JSON.readTree(r.stdout());
            String s = n.isTextual() ? n.asText() : n.toString();
            return Optional.of(Integer.parseInt(s.strip()));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** Storages of {@code node} that are enabled, active and hold {@code content} (e.g. rootdir). */
    public List<String> storagesWithContent(String node, String content) throws IOException, InterruptedException {
        List<String> argv = new ArrayList<>(List.of("pvesh", "get", "/nodes/" + node + "/storage", "--output-format", "json"));
        CommandResult r = runner.run(argv, SHORT);
        if (!r.ok()) {
            throw new IOException("pvesh get /nodes/" + node + "/storage failed: " + r.lastErrorLine());
        }
        JsonNode arr = JSON.readTree(r.stdout());
        List<String> out = new ArrayList<>();
        for (JsonNode s : arr) {
            if (!ProxmoxJson.bool(s, "enabled", true) || !ProxmoxJson.bool(s, "active", true)) {
                continue;
            }
            String contents = s.path("content").asText("");
            for (String c : contents.split(",")) {
                if (c.strip().equals(content)) {
                    out.add(s.path("storage").asText());
                }
            }
        }
        return out;
    }

    /** The name of the node the runner reaches ({@code hostname}, as PVE names nodes), for pvesh paths. */
    public String localNodeName() throws IOException, InterruptedException {
        CommandResult r = runner.run(List.of("hostname"), SHORT);
        if (!r.ok() || r.stdout().isBlank()) {
            throw new IOException("cannot read the node name (hostname): " + r.lastErrorLine() + "; set node=<name>");
        }
        String h = r.stdout().strip();
        int dot = h.indexOf('.');
        return dot > 0 ? h.substring(0, dot) : h;
    }
}
