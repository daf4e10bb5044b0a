package io.plakar.pve.exporter;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Where drill results go: one JSON line per dump appended to {@code drill_report} (on the machine
 * running the plugin; created 0600, never rewritten, read by the {@code pbs+audit} connector's
 * {@code drill_reports=}), and a summary on stderr at the end of the run.
 */
final class DrillReport {
    private static final Logger LOG = LoggerFactory.getLogger("summary");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Optional<Path> file;
    private final List<DrillResult> results = new ArrayList<>();
    private final List<String> sweepLeftovers = new ArrayList<>();

    DrillReport(Optional<Path> file) {
        this.file = file;
    }

    /** The JSON line of one result (no newline): the fields the audit connector reads, plus the drill VMID and message. */
    static String jsonLine(DrillResult r) {
        ObjectNode n = JSON.createObjectNode();
        n.put("guest", r.guest());
        n.put("dump", r.dump());
        n.putNull("snapshot"); // the exporter is not told the snapshot id
        n.put("result", r.pass() ? "pass" : "fail");
        if (r.phase() == null) {
            n.putNull("phase");
        } else {
            n.put("phase", r.phase());
        }
        ObjectNode t = n.putObject("timings");
        for (Map.Entry<String, Double> e : r.timings().entrySet()) {
            t.put(e.getKey(), Math.round(e.getValue() * 1000) / 1000.0);
        }
        n.put("time", r.time().truncatedTo(ChronoUnit.SECONDS).atOffset(ZoneOffset.UTC).toString());
        if (r.drillVmid() > 0) {
            n.put("drill_vmid", r.drillVmid());
        }
        if (r.message() != null) {
            n.put("message", r.message());
        }
        if (r.leftover() != null) {
            n.put("leftover", r.leftover());
        }
        return n.toString();
    }

    /** Records a result and appends its line to the report file (a failure to write is logged, never fatal). */
    void add(DrillResult r) {
        results.add(r);
        LOG.info("drill: {}", line(r));
        if (file.isEmpty()) {
            return;
        }
        byte[] bytes = (jsonLine(r) + "\n").getBytes(StandardCharsets.UTF_8);
        try (SeekableByteChannel ch = Files.newByteChannel(file.get(),
                Set.of(StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) {
                ch.write(b);
            }
        } catch (IOException | UnsupportedOperationException e) {
            LOG.error("drill: could not append to drill_report {}: {}", file.get(), e.getMessage());
        }
    }

    void sweepLeftover(String what) {
        sweepLeftovers.add(what);
    }

    static String line(DrillResult r) {
        StringBuilder sb = new StringBuilder(r.guest()).append(" (").append(r.dump()).append(")");
        if (r.drillVmid() > 0) {
            sb.append(" as ").append(r.drillVmid());
        }
        sb.append(r.pass() ? ": PASS" : ": FAIL at " + r.phase());
        for (Map.Entry<String, Double> e : r.timings().entrySet()) {
            sb.append(' ').append(e.getKey()).append(' ').append(String.format(Locale.ROOT, "%.1fs", e.getValue()));
        }
        if (!r.pass() && r.message() != null) {
            sb.append(": ").append(r.message());
        }
        return sb.toString();
    }

    boolean isEmpty() {
        return results.isEmpty() && sweepLeftovers.isEmpty();
    }

    void log() {
        if (isEmpty()) {
            LOG.info("drill summary: the snapshot held no Proxmox dump to drill");
            return;
        }
        long passed = results.stream().filter(DrillResult::pass).count();
        for (DrillResult r : results) {
            LOG.info("drill summary: {}", line(r));
        }
        LOG.info("drill summary: {} of {} dumps passed, {} failed", passed, results.size(), results.size() - passed);
        for (DrillResult r : results) {
            if (r.leftover() != null) {
                LOG.error("drill summary: LEFT BEHIND, delete by hand: {}", r.leftover());
            }
        }
        for (String s : sweepLeftovers) {
            LOG.error("drill summary: LEFT BEHIND, delete by hand: {}", s);
        }
        results.clear();
        sweepLeftovers.clear();
    }
}
