package io.plakar.pve.tools.bench;

import io.plakar.pve.tools.measure.RssSampler;
import io.plakar.pve.proto.importer.OpenResponse;
import io.plakar.pve.testkit.host.ImporterClient;
import io.plakar.pve.testkit.host.PluginProcess;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * {@code make bench-stdio}: streams N GiB through Open of the packaged conformance importer
 * to the test host over the real pipes, next to the raw-pipe ceiling measured in the same run,
 * plus peak RSS and spawn-to-Init latency. When {@code bench/go-plugin/target/goPlugin} exists
 * (or can be built with Go), the same host also times a Go gRPC plugin streaming the same bytes
 * over its own stdio, so the Java plugin's throughput is also reported as a ratio to a Go
 * plugin in the same run. A benchmark, not a test: it prints, never asserts.
 */
public final class StdioBench {
    public static void main(String[] args) throws Exception {
        long gib = args.length > 0 ? Long.parseLong(args[0]) : 4;
        long bytes = gib << 30;
        Path conformance = Path.of(System.getProperty("plugin.conformance", "plugin/target/conformance"));
        Path exe = conformance.resolve("conformanceImporter");
        System.setProperty("testhost.quiet", "true");

        double zeroShell = mbps(bytes, timeShell("head -c " + bytes + " /dev/zero | cat > /dev/null"));
        double rawShell = mbps(bytes, timeJavaPipeWrite(bytes));
        double rawJava = mbps(bytes, timeJavaPipeRead(bytes));

        List<Double> runs = new ArrayList<>();
        long peak = 0;
        for (int i = 0; i < 2; i++) {
            try (PluginProcess p = PluginProcess.spawn(exe, Map.of())) {
                ImporterClient c = p.importer();
                c.init("conformance", Map.of("bench_bytes", String.valueOf(bytes)));
                RssSampler rss = RssSampler.start(p.pid());
                long t0 = System.nanoTime();
                long got = 0;
                Iterator<OpenResponse> it = c.open("/bench.bin");
                while (it.hasNext()) {
                    got += it.next().getChunk().size();
                }
                long t = System.nanoTime() - t0;
                peak = Math.max(peak, rss.stop());
                if (got != bytes) {
                    throw new IllegalStateException("short stream: " + got);
                }
                runs.add(mbps(bytes, t));
                p.closeAndWait(Duration.ofSeconds(10));
            }
        }
        List<Double> goRuns = goPluginRuns(bytes);
        List<Long> starts = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            try (PluginProcess p = PluginProcess.spawn(exe, Map.of())) {
                p.importer().init("conformance", Map.of());
                starts.add((System.nanoTime() - p.spawnNanos()) / 1_000_000);
            }
        }
        Collections.sort(starts);
        System.out.printf("bench-stdio: %d GiB through Open, plugin -> test host over pipes%n", gib);
        System.out.printf("  raw pipe ceiling (same bytes -> cat >/dev/null): %7.0f MB/s%n", rawShell);
        System.out.printf("  (for reference: head -c /dev/zero | cat:       %8.0f MB/s)%n", zeroShell);
        System.out.printf("  raw pipe read by the JVM test host:             %8.0f MB/s%n", rawJava);
        System.out.printf("  plugin Open, run 1 (cold) / run 2 (warm):       %8.0f / %.0f MB/s%n", runs.get(0), runs.get(1));
        System.out.printf("  ratio to raw pipe ceiling (cold / warm):        %8.2f / %.2f%n", runs.get(0) / rawShell, runs.get(1) / rawShell);
        if (goRuns != null) {
            System.out.printf("  Go gRPC plugin (same pipes, same Java host), run 1 / run 2: %.0f / %.0f MB/s%n", goRuns.get(0), goRuns.get(1));
            System.out.printf("  Java plugin / Go plugin (cold / warm):          %8.2f / %.2f%n", runs.get(0) / goRuns.get(0), runs.get(1) / goRuns.get(1));
            System.out.printf("  Go plugin ratio to raw pipe ceiling (run 1 / run 2): %.2f / %.2f%n", goRuns.get(0) / rawShell, goRuns.get(1) / rawShell);
        } else {
            System.out.println("  Go gRPC plugin (same pipes, same Java host):    not measured: no bench/go-plugin/target/goPlugin;"
                    + " apt-get install -y golang-go golang-google-grpc-dev, then bench/go-plugin/build.sh");
        }
        System.out.printf("  plugin peak RSS (VmHWM):                        %8d MiB%n", peak >> 20);
        System.out.printf("  spawn-to-Init median (min-max) of 7:            %8d ms (%d-%d)%n", starts.get(3), starts.get(0), starts.get(6));
    }

    /**
     * Times bench/go-plugin/target/goPlugin (a grpc-go server over its own stdio) exactly like
     * the Java plugin: same spawn, same ImporterClient, init then open, 2 runs. Null when it is
     * missing and cannot be built.
     */
    static List<Double> goPluginRuns(long bytes) throws Exception {
        Path root = Path.of(System.getProperty("repo.root", "."));
        Path exe = root.resolve("bench/go-plugin/target/goPlugin");
        if (!Files.isExecutable(exe)) {
            Path build = root.resolve("bench/go-plugin/build.sh");
            if (Files.isExecutable(build) && onPath("go")) {
                new ProcessBuilder(build.toString()).inheritIO().start().waitFor();
            }
            if (!Files.isExecutable(exe)) {
                return null;
            }
        }
        List<Double> goRuns = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            try (PluginProcess p = PluginProcess.spawn(exe, Map.of("GO_PLUGIN_BYTES", String.valueOf(bytes)))) {
                ImporterClient c = p.importer();
                c.init("conformance", Map.of("bench_bytes", String.valueOf(bytes)));
                long t0 = System.nanoTime();
                long got = 0;
                Iterator<OpenResponse> it = c.open("/bench.bin");
                while (it.hasNext()) {
                    got += it.next().getChunk().size();
                }
                long t = System.nanoTime() - t0;
                if (got != bytes) {
                    throw new IllegalStateException("short stream from the Go plugin: " + got);
                }
                goRuns.add(mbps(bytes, t));
                p.closeAndWait(Duration.ofSeconds(10));
            }
        }
        return goRuns;
    }

    static boolean onPath(String cmd) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, cmd))) {
                return true;
            }
        }
        return false;
    }

    static double mbps(long bytes, long nanos) {
        return bytes / 1e6 / (nanos / 1e9);
    }

    static long timeShell(String cmd) throws Exception {
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder("sh", "-c", cmd).inheritIO().start();
        p.waitFor();
        return System.nanoTime() - t0;
    }

    /** The ceiling the issue defines: a process writing the same bytes into a pipe read by cat. */
    static long timeJavaPipeWrite(long bytes) throws Exception {
        Process p = new ProcessBuilder("sh", "-c", "cat > /dev/null").start();
        long t0 = System.nanoTime();
        byte[] buf = new byte[1 << 20];
        try (var in = new io.plakar.pve.testkit.conformance.RepeatingBlockStream(bytes);
             var out = p.getOutputStream()) {
            int n;
            while ((n = in.read(buf, 0, buf.length)) > 0) {
                out.write(buf, 0, n);
            }
        }
        p.waitFor();
        return System.nanoTime() - t0;
    }

    static long timeJavaPipeRead(long bytes) throws Exception {
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder("head", "-c", String.valueOf(bytes), "/dev/zero").start();
        byte[] buf = new byte[1 << 20];
        try (InputStream in = p.getInputStream()) {
            while (in.read(buf) >= 0) {
                // count nothing: this is the ceiling of reading a pipe in Java
            }
        }
        p.waitFor();
        return System.nanoTime() - t0;
    }
}
