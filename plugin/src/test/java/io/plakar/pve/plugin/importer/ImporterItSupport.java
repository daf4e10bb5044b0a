package io.plakar.pve.plugin.importer;

import io.plakar.pve.testkit.host.BackupOptions;
import io.plakar.pve.testkit.host.PluginProcess;
import io.plakar.pve.testkit.host.Snapshot;
import io.plakar.pve.testkit.sim.SimulatedCluster;
import io.plakar.pve.testkit.sim.ProcResult;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Shared helpers: the packaged importer, reference dumps made by running the fake vzdump directly. */
final class ImporterItSupport {
    static final Path DIST = Path.of(System.getProperty("plugin.dist", "plugin/target/dist"));
    /** Fixed dump time: the fake's archive bytes depend on it, so reference and plugin dumps are equal. */
    static final String NOW = "1714557600";

    private ImporterItSupport() {
    }

    static SimulatedCluster node() throws IOException {
        SimulatedCluster n = SimulatedCluster.create();
        n.putEnv("PVE_FAKE_NOW", NOW);
        return n;
    }

    static PluginProcess spawn(Map<String, String> env) {
        return PluginProcess.spawn(DIST.resolve("proxmoxImporter"), env);
    }

    static Map<String, String> cfg(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    /** Init + full backup through the test host. */
    static Snapshot backup(PluginProcess p, Map<String, String> config, BackupOptions options) {
        var c = p.importer();
        c.init("proxmox+backup", config);
        Snapshot s = c.backup(options);
        c.close();
        return s;
    }

    /** The bytes the fake vzdump writes to stdout for this guest, run directly (no plugin). */
    static byte[] reference(SimulatedCluster node, int vmid, String compress, Path dumpDir) {
        ProcResult r = node.run("vzdump", Integer.toString(vmid), "--stdout", "1", "--mode", "snapshot",
                "--compress", compress, "--dumpdir", dumpDir.toString());
        assertEquals(0, r.exitCode(), r.stderr());
        return r.stdout();
    }

    static String sha(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    static String sha(InputStream in) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        byte[] buf = new byte[1 << 16];
        int n;
        while ((n = in.read(buf)) > 0) {
            md.update(buf, 0, n);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /** sha256 of a stored file after decompressing it with the tool its suffix names. */
    static String decompressedSha(Path file) throws Exception {
        String name = file.getFileName().toString();
        List<String> cmd;
        if (name.endsWith(".gz")) {
            cmd = List.of("gzip", "-dc", file.toString());
        } else if (name.endsWith(".zst")) {
            cmd = List.of("zstd", "-dcq", file.toString());
        } else if (name.endsWith(".lzo")) {
            cmd = List.of("lzop", "-dc", file.toString());
        } else {
            try (InputStream in = Files.newInputStream(file)) {
                return sha(in);
            }
        }
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String s;
        try (InputStream in = p.getInputStream()) {
            s = sha(in);
        }
        assertEquals(0, p.waitFor(), "decompressing " + file);
        return s;
    }

    static Optional<Snapshot.Entry> entryFor(Snapshot s, String prefix) {
        return s.entries().stream().filter(e -> e.path().startsWith(prefix)).findFirst();
    }

    /** pids of the vzdump runs the fake recorded that are still alive. */
    @SuppressWarnings("unchecked")
    static List<Long> liveVzdumps(SimulatedCluster node) {
        List<Long> alive = new ArrayList<>();
        for (Map<String, Object> a : node.audit()) {
            if ("vzdump".equals(a.get("tool"))) {
                long pid = ((Number) a.get("pid")).longValue();
                ProcessHandle.of(pid).filter(ProcessHandle::isAlive).ifPresent(h -> alive.add(pid));
            }
        }
        return alive;
    }

    static void waitNoVzdump(SimulatedCluster node) throws InterruptedException {
        for (int i = 0; i < 100 && !liveVzdumps(node).isEmpty(); i++) {
            Thread.sleep(100);
        }
    }
}
