package io.plakar.pve.tools.bench;

import io.plakar.pve.tools.measure.RssSampler;
import io.plakar.pve.proto.connectors.Result;
import io.plakar.pve.testkit.host.ExportItem;
import io.plakar.pve.testkit.host.ExporterClient;
import io.plakar.pve.testkit.host.PluginProcess;
import io.plakar.pve.testkit.sim.SimulatedCluster;
import io.plakar.pve.testkit.sim.LoopbackSshd;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Restore benchmark (a main, not a test): a dump of {@code args[0]} GiB (default 4) restored
 * by the packaged proxmoxExporter, staged and streamed, locally and over loopback SSH, next to
 * the ceilings measured in the same run: {@code cat > file} and OpenSSH {@code ssh host 'cat > file'}.
 * Staged rate = host → plugin → dump_dir (the "staged ... MB/s" line); streamed rate = host →
 * plugin → {@code qmrestore -} (the simulator's qmrestore parses and hashes every byte).
 * Needs system properties plugin.dist and repo.root (see `make bench-restore`).
 */
public final class RestoreBench {
    private static final Pattern STAGED = Pattern.compile("staged .* \\(([0-9.]+) MB/s\\)");

    private RestoreBench() {
    }

    public static void main(String[] args) throws Exception {
        long gib = args.length > 0 ? Long.parseLong(args[0]) : 4;
        long size = gib << 30;
        Path exe = Path.of(System.getProperty("plugin.dist"), "proxmoxExporter");
        List<String> rows = new ArrayList<>();
        try (SimulatedCluster node = SimulatedCluster.create()) {
            node.updateGuest(100, g -> g.diskBytes(size));
            Path dump = node.tempRoot().resolve("bench-dump.vma");
            withEnv(node, List.of(node.binDir().resolve("vzdump").toString(), "100", "--stdout", "1", "--compress", "0"), dump);
            long bytes = Files.size(dump);
            System.err.printf(Locale.ROOT, "dump: %s, %.2f GiB%n", dump, bytes / (double) (1L << 30));
            node.removeGuest(100);
            Path dumpDir = node.newDumpDir("bench");
            try (LoopbackSshd sshd = LoopbackSshd.start(node)) {
                double catLocal = ceiling(List.of("sh", "-c", "cat > \"$0\"", dumpDir.resolve("ceiling").toString()), dump, bytes);
                Files.deleteIfExists(dumpDir.resolve("ceiling"));
                double catSsh = ceiling(sshd.sshCommand("cat > '" + dumpDir.resolve("ceiling") + "'"), dump, bytes);
                Files.deleteIfExists(dumpDir.resolve("ceiling"));
                rows.add(String.format(Locale.ROOT, "%-28s %9.1f MB/s", "ceiling cat > file", catLocal));
                rows.add(String.format(Locale.ROOT, "%-28s %9.1f MB/s", "ceiling ssh 'cat > file'", catSsh));
                for (boolean remote : new boolean[]{false, true}) {
                    for (String transport : List.of("stage", "stream")) {
                        Map<String, String> cfg = new LinkedHashMap<>();
                        if (remote) {
                            cfg.put("location", "proxmox+backup://127.0.0.1");
                            cfg.put("mode", "remote");
                            cfg.put("conn_username", sshd.username());
                            cfg.put("conn_port", Integer.toString(sshd.port()));
                            if (sshd.password() != null) {
                                cfg.put("conn_method", "password");
                                cfg.put("conn_password", sshd.password());
                            } else {
                                cfg.put("conn_method", "identity");
                                cfg.put("conn_identity_file", sshd.identityFile().toString());
                            }
                            cfg.put("ssh_known_hosts", sshd.knownHostsFile().toString());
                        } else {
                            cfg.put("location", "proxmox+backup://localhost");
                            cfg.put("mode", "local");
                        }
                        cfg.put("node", node.localNode());
                        cfg.put("dump_dir", dumpDir.toString());
                        cfg.put("restore_transport", transport);
                        Measured m = run(exe, node, cfg, dump, bytes);
                        node.removeGuest(100);
                        double ceil = remote ? catSsh : catLocal;
                        double rate = transport.equals("stage") ? m.stagedMBs : m.recordMBs;
                        rows.add(String.format(Locale.ROOT, "%-28s %9.1f MB/s  = %.2f of ceiling  (record %.1f MB/s, peak RSS %d MiB)%s",
                                (remote ? "ssh " : "local ") + transport, rate, rate / ceil, m.recordMBs, m.peakRss >> 20,
                                m.error.isEmpty() ? "" : "  ERROR " + m.error));
                    }
                }
            }
            Files.deleteIfExists(dump);
        }
        System.err.println();
        System.err.println("restore benchmark, " + gib + " GiB dump");
        rows.forEach(System.err::println);
    }

    private static void withEnv(SimulatedCluster node, List<String> argv, Path out) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(argv).redirectOutput(out.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().putAll(node.env());
        Process p = pb.start();
        p.getOutputStream().close();
        if (p.waitFor() != 0) {
            throw new IOException("vzdump failed");
        }
    }

    private static double ceiling(List<String> argv, Path input, long bytes) throws Exception {
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(argv).redirectInput(input.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        if (p.waitFor() != 0) {
            throw new IOException("ceiling command failed: " + argv);
        }
        return bytes / 1e6 / ((System.nanoTime() - t0) / 1e9);
    }

    private record Measured(double stagedMBs, double recordMBs, long peakRss, String error) {
    }

    private static Measured run(Path exe, SimulatedCluster node, Map<String, String> cfg, Path dump, long bytes) {
        String path = "/vzdump-qemu-100-2026_02_10-02_00_00.vma";
        try (PluginProcess p = PluginProcess.spawn(exe, node.env())) {
            ExporterClient c = p.exporter();
            c.init("proxmox+backup", cfg);
            long t0 = System.nanoTime();
            List<Result> results = c.export(List.of(ExportItem.file(path, bytes, Instant.now(), () -> open(dump))));
            double record = bytes / 1e6 / ((System.nanoTime() - t0) / 1e9);
            long rss = RssSampler.peakBytes(p.pid());
            c.close();
            p.closeAndWait(Duration.ofSeconds(30));
            Matcher m = STAGED.matcher(p.stderr());
            double staged = m.find() ? Double.parseDouble(m.group(1)) : 0;
            String err = results.isEmpty() ? "no result" : results.get(0).getError();
            return new Measured(staged, record, rss, err);
        }
    }

    private static InputStream open(Path p) {
        try {
            return Files.newInputStream(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
