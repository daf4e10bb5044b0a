package io.plakar.pve.exporter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.plakar.pve.proxmox.GuestType;
import io.plakar.pve.proxmox.ProxmoxJson;
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
 * shutdown, stop, start} and {@code pvesh} lookups of pools and storages. argv lists only;
 * booleans as {@code --flag 1}, positionals first.
 */
public final class NodeControl {
    private static final Duration SHORT = Duration.ofMinutes(2);
    private static final Duration STOP = Duration.ofMinutes(10);
    private static final ObjectMapper JSON = new ObjectMapper();

    public enum State { ABSENT, STOPPED, RUNNING }

    /** A storage of the node as {@code /nodes/<node>/storage} reports it. */
    public record Storage(String id, List<String> content, boolean usable, long availBytes) {
        boolean holds(String contentType) {
            return usable && content.contains(contentType);
        }
    }

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

    /**
     * Asks the guest's OS to shut down ({@code qm shutdown --timeout}: ACPI or the guest agent),
     * and only when it did not within the timeout cuts the power ({@code stop}). Returns how it
     * went down, for the log.
     */
    public String shutDown(GuestType type, int vmid, Duration timeout) throws IOException, InterruptedException {
        CommandResult r = runner.run(List.of(tool(type), "shutdown", Integer.toString(vmid),
                "--timeout", Long.toString(Math.max(1, timeout.toSeconds()))), timeout.plus(SHORT));
        if (r.ok() && status(type, vmid) == State.STOPPED) {
            return "shut down";
        }
        stop(type, vmid);
        return "did not shut down within " + timeout.toSeconds() + "s (" + r.lastErrorLine() + "); stopped";
    }

    /** Stops a guest (a power cut); "not running" (pct on a stopped CT) is not an error. */
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
            return Optional.of((int) ProxmoxJson.integer(n).orElseThrow());
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** Whether the pool exists ({@code pvesh get /pools/<pool>} answers). */
    public boolean poolExists(String pool) throws IOException, InterruptedException {
        CommandResult r = runner.run(List.of("pvesh", "get", "/pools/" + pool, "--output-format", "json"), SHORT);
        if (r.ok()) {
            return true;
        }
        String all = r.stderr() + "\n" + r.stdout();
        if (all.contains("does not exist") || all.contains("404")) {
            return false;
        }
        throw new IOException("pvesh get /pools/" + pool + " failed: " + r.lastErrorLine());
    }

    /** The storages of {@code node}, with their content types, state and free bytes. */
    public List<Storage> storages(String node) throws IOException, InterruptedException {
        CommandResult r = runner.run(List.of("pvesh", "get", "/nodes/" + node + "/storage", "--output-format", "json"), SHORT);
        if (!r.ok()) {
            throw new IOException("pvesh get /nodes/" + node + "/storage failed: " + r.lastErrorLine());
        }
        List<Storage> out = new ArrayList<>();
        for (JsonNode s : JSON.readTree(r.stdout())) {
            List<String> content = new ArrayList<>();
            for (String c : s.path("content").asText("").split(",")) {
                if (!c.isBlank()) {
                    content.add(c.strip());
                }
            }
            boolean usable = ProxmoxJson.bool(s, "enabled", true) && ProxmoxJson.bool(s, "active", true);
            out.add(new Storage(ProxmoxJson.text(s, "storage"), content, usable, ProxmoxJson.integer(s, "avail", -1)));
        }
        return out;
    }

    /** Storages of {@code node} that are enabled, active and hold {@code content} (e.g. rootdir). */
    public List<String> storagesWithContent(String node, String content) throws IOException, InterruptedException {
        return storages(node).stream().filter(s -> s.holds(content)).map(Storage::id).toList();
    }
}
