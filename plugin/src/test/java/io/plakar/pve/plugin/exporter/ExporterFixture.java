package io.plakar.pve.plugin.exporter;

import com.github.luben.zstd.ZstdInputStream;
import io.plakar.pve.proto.connectors.Result;
import io.plakar.pve.testkit.host.ExportItem;
import io.plakar.pve.testkit.host.ExporterClient;
import io.plakar.pve.testkit.host.PluginProcess;
import io.plakar.pve.testkit.sim.SimulatedCluster;
import io.plakar.pve.testkit.sim.ProcResult;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Shared helpers of the exporter ITs: dumps made by the simulator's vzdump, export through the packaged plugin. */
final class ExporterFixture {
    static final Instant MTIME = Instant.parse("2026-02-10T02:00:00Z");

    private ExporterFixture() {
    }

    static Path exporterExecutable() {
        return Path.of(System.getProperty("plugin.dist"), "proxmoxExporter");
    }

    /** The bytes `vzdump <vmid> --stdout 1 --compress <c>` writes on the fake node. */
    static byte[] vzdump(SimulatedCluster node, int vmid, String compress) {
        ProcResult r = node.run("vzdump", Integer.toString(vmid), "--stdout", "1", "--compress", compress);
        assertEquals(0, r.exitCode(), r.toString());
        return r.stdout();
    }

    static String name(String type, int vmid, String ext) {
        return "vzdump-" + type + "-" + vmid + "-2026_02_10-02_00_00." + ext;
    }

    static ExportItem file(String path, byte[] content) {
        return ExportItem.file(path, content.length, MTIME, () -> new ByteArrayInputStream(content));
    }

    static Map<String, String> localConfig(SimulatedCluster node, Path dumpDir, String... kv) {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("location", "proxmox+backup://localhost");
        c.put("mode", "local");
        c.put("node", node.localNode());
        c.put("dump_dir", dumpDir.toString());
        for (int i = 0; i < kv.length; i += 2) {
            c.put(kv[i], kv[i + 1]);
        }
        return c;
    }

    /** Spawns the packaged exporter with the simulator on PATH, runs Init + Export, closes. */
    static Run export(SimulatedCluster node, Map<String, String> config, List<ExportItem> items) {
        try (PluginProcess p = PluginProcess.spawn(exporterExecutable(), node.env())) {
            ExporterClient c = p.exporter();
            c.init("proxmox+backup", config);
            List<Result> results = c.export(items);
            c.close();
            p.closeAndWait(Duration.ofSeconds(20));
            return new Run(results, c.exportError(), p.stderr());
        }
    }

    record Run(List<Result> results, String exportError, String stderr) {
        Result of(String path) {
            for (Result r : results) {
                if (r.getHeader().getPathname().equals(path)) {
                    return r;
                }
            }
            throw new AssertionError("no result for " + path + " in " + results + "\nstderr:\n" + stderr);
        }

        String error(String path) {
            return of(path).getError();
        }
    }

    static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] uncompressed(byte[] b, String compress) throws IOException {
        InputStream in = switch (compress) {
            case "zstd" -> new ZstdInputStream(new ByteArrayInputStream(b));
            case "gzip" -> new GZIPInputStream(new ByteArrayInputStream(b));
            default -> new ByteArrayInputStream(b);
        };
        try (in) {
            return in.readAllBytes();
        }
    }

    /** The simulator's restore records, newest last. */
    static List<Map<String, Object>> restoresFor(SimulatedCluster node, int vmid) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Map<String, Object> r : node.restores()) {
            if (String.valueOf(r.get("vmid")).equals(Integer.toString(vmid))) {
                out.add(r);
            }
        }
        return out;
    }
}
