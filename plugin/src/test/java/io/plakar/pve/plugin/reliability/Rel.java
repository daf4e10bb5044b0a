package io.plakar.pve.plugin.reliability;

import io.plakar.pve.testkit.host.BackupOptions;
import io.plakar.pve.testkit.host.ExportItem;
import io.plakar.pve.testkit.host.ExporterClient;
import io.plakar.pve.testkit.host.PluginProcess;
import io.plakar.pve.testkit.host.Snapshot;
import io.plakar.pve.testkit.sim.SimulatedCluster;
import io.plakar.pve.testkit.sim.LoopbackSshd;
import io.plakar.pve.testkit.sim.ProcResult;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Shared plumbing of the reliability suite: the packaged executables, configs, references, checks. */
final class Rel {
    static final Path DIST = Path.of(System.getProperty("plugin.dist", "plugin/target/dist"));
    /** Fixed dump time: the fake's archive bytes depend on it, so plugin dumps equal reference dumps. */
    static final String NOW = "1714557600";
    static final Instant MTIME = Instant.parse("2026-02-10T02:00:00Z");

    private Rel() {
    }

    static Path importerExe() {
        return DIST.resolve("proxmoxImporter");
    }

    static Path exporterExe() {
        return DIST.resolve("proxmoxExporter");
    }

    static Path auditExe() {
        return DIST.resolve("pbsAuditImporter");
    }

    static SimulatedCluster node() throws IOException {
        SimulatedCluster n = SimulatedCluster.create();
        n.putEnv("PVE_FAKE_NOW", NOW);
        return n;
    }

    /** A plugin process whose stderr is captured for the secret search when it closes. */
    static final class Plugin implements AutoCloseable {
        final PluginProcess process;
        final String label;

        Plugin(Path exe, Map<String, String> env, String label) {
            this.process = PluginProcess.spawn(exe, env);
            this.label = label;
        }

        long pid() {
            return process.pid();
        }

        /** Closes the pipes like plakar, waits for the exit, records stderr; returns the exit status. */
        int finish() {
            int code;
            try {
                code = process.closeAndWait(Duration.ofSeconds(30));
            } finally {
                Capture.text(label + " stderr", process.stderr());
            }
            return code;
        }

        @Override
        public void close() {
            boolean alive = process.process().isAlive();
            process.close();
            if (alive) {
                Capture.text(label + " stderr", process.stderr());
            }
        }
    }

    static Plugin importer(Map<String, String> env, String label) {
        return new Plugin(importerExe(), env, label);
    }

    static Plugin exporter(Map<String, String> env, String label) {
        return new Plugin(exporterExe(), env, label);
    }

    static Map<String, String> cfg(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    static Map<String, String> with(Map<String, String> base, String... kv) {
        Map<String, String> m = new LinkedHashMap<>(base);
        m.putAll(cfg(kv));
        return m;
    }

    /** proxmox+backup importer/exporter in remote mode through a loopback sshd, key authentication. */
    static Map<String, String> remote(LoopbackSshd sshd, Path dumpDir, String... kv) {
        Map<String, String> m = cfg("location", "proxmox+backup://127.0.0.1", "mode", "remote",
                "conn_method", "identity", "conn_username", sshd.username(),
                "conn_identity_file", sshd.identityFile().toString(), "conn_port", Integer.toString(sshd.port()),
                "ssh_known_hosts", sshd.knownHostsFile().toString(), "dump_dir", dumpDir.toString(),
                "ssh_retry_count", "1", "ssh_retry_delay", "200ms");
        m.putAll(cfg(kv));
        return m;
    }

    static Map<String, String> local(SimulatedCluster node, Path dumpDir, String... kv) {
        Map<String, String> m = cfg("location", "proxmox+backup://localhost", "mode", "local",
                "node", node.localNode(), "dump_dir", dumpDir.toString());
        m.putAll(cfg(kv));
        return m;
    }

    /** Init + backup + Close + exit through the packaged importer; captured for the secret search. */
    static Snapshot backup(Plugin p, Map<String, String> config, BackupOptions o) {
        var c = p.process.importer();
        c.init("proxmox+backup", config);
        Snapshot s = c.backup(o);
        Capture.snapshot(p.label, s);
        return s;
    }

    static List<io.plakar.pve.proto.connectors.Result> export(Plugin p, Map<String, String> config, List<ExportItem> items) {
        ExporterClient c = p.process.exporter();
        c.init("proxmox+backup", config);
        var results = c.export(items);
        Capture.results(p.label, results);
        Capture.text(p.label + " export status", c.exportError());
        return results;
    }

    /** The bytes the fake vzdump writes for this guest when run directly (no plugin). */
    static byte[] reference(SimulatedCluster node, int vmid, String compress) {
        ProcResult r = node.run("vzdump", Integer.toString(vmid), "--stdout", "1", "--mode", "snapshot",
                "--compress", compress);
        assertEquals(0, r.exitCode(), r.stderr());
        return r.stdout();
    }

    static String sha(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static Snapshot.Entry entry(Snapshot s, String prefix) {
        return s.entries().stream().filter(e -> e.path().startsWith(prefix)).findFirst()
                .orElseThrow(() -> new AssertionError("no record " + prefix + "* in " + s));
    }

    static ExportItem file(String path, byte[] content) {
        return ExportItem.file(path, content.length, MTIME, () -> new ByteArrayInputStream(content));
    }

    /** Content delivered slowly: {@code chunk} bytes, then a pause, so a fault can land in the middle. */
    static ExportItem slowFile(String path, byte[] content, long declaredSize, int chunk, long pauseMillis) {
        return ExportItem.file(path, declaredSize, MTIME, () -> new InputStream() {
            int pos;

            @Override
            public int read() {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (pos >= content.length) {
                    return -1;
                }
                if (pos > 0 && pos % chunk == 0) {
                    Procs.sleep(pauseMillis);
                }
                int n = Math.min(Math.min(len, chunk - pos % chunk), content.length - pos);
                System.arraycopy(content, pos, b, off, n);
                pos += n;
                return n;
            }
        });
    }

    static String dumpName(String type, int vmid, String ext) {
        return "vzdump-" + type + "-" + vmid + "-2026_02_10-02_00_00." + ext;
    }

    /** Regular files under a directory (relative path → size); empty when it does not exist. */
    static Map<String, Long> tree(Path root) {
        Map<String, Long> out = new TreeMap<>();
        if (!Files.exists(root)) {
            return out;
        }
        try (Stream<Path> s = Files.walk(root)) {
            s.forEach(p -> {
                try {
                    out.put(root.relativize(p).toString() + (Files.isDirectory(p) ? "/" : ""),
                            Files.isDirectory(p) ? 0L : Files.size(p));
                } catch (IOException e) {
                    // vanished while walking
                }
            });
        } catch (IOException | UncheckedIOException e) {
            // vanished while walking
        }
        return out;
    }

    /** Everything under a dump dir, at any depth: files and the private directories a run makes there. */
    static List<Path> files(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> !p.equals(dir)).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** Waits until a dump dir holds nothing (cleanup may run right after the ack). */
    static List<Path> awaitEmpty(Path dir, Duration max) {
        long end = System.nanoTime() + max.toNanos();
        List<Path> l = files(dir);
        while (!l.isEmpty() && System.nanoTime() < end) {
            Procs.sleep(100);
            l = files(dir);
        }
        return l;
    }
}
