package io.plakar.pve.tools.bench;

import io.plakar.pve.testkit.sim.SimulatedCluster;
import io.plakar.pve.tools.measure.ProcTreeSampler;
import io.plakar.pve.tools.plakar.Cmd;
import io.plakar.pve.tools.plakar.PlakarHome;
import io.plakar.pve.tools.plakar.PlakarLocator;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * {@code make bench-e2e}: what a user feels, through the real plakar client.
 *
 * <p>Backup: {@code plakar backup proxmox+backup://localhost} (our importer, installed with
 * {@code plakar pkg create} / {@code pkg add} into a private home) against {@code plakar backup <dir>}
 * of the same bytes as a file (Plakar's own fs importer), each into a fresh plaintext repository,
 * alternated, N runs each (default 3). The VM dump is generated once by the simulator; during the
 * runs a bench-private {@code vzdump} first in PATH serves it with one {@code cat} (and prints the
 * stderr lines the simulator's vzdump printed), so the source costs what a pipe costs.
 *
 * <p>Restore: {@code plakar restore -to proxmox+backup://localhost} (our exporter, mode=local,
 * staged into a dump_dir) against {@code plakar restore -to <dir>} of the same file, alternated.
 * The bench-private {@code qmrestore} exits 0 without reading the staged file: what is compared is
 * plakar + the exporter writing the file, which is the work {@code restore -to <dir>} does.
 *
 * <p>CPU, read from /proc every 20 ms ({@link ProcTreeSampler}): plakar's own utime + stime, and the
 * plugin's process tree (its JVM plus the vzdump/cat/pvesh it reaped). Prints, never asserts. Usage: {@code E2EBench [GiB, default 4] [runs, default 3]}.
 */
public final class E2EBench {
    private static final String NOW = "1714557600";
    private static final String FILE = "vzdump-qemu-100-2024_05_01-10_00_00.vma";
    private static final Pattern SNAPSHOT = Pattern.compile("(?m)^([0-9a-f]{8}): backup completed");

    public static void main(String[] args) throws Exception {
        long gib = args.length > 0 ? Long.parseLong(args[0]) : 4;
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Path root = Path.of(System.getProperty("repo.root", "."));
        Optional<Path> bin = PlakarLocator.find(root);
        if (bin.isEmpty()) {
            System.out.println("bench-e2e: NOT RUN: no plakar client (set PLAKAR=/path/to/plakar, put plakar on PATH,"
                    + " or provide ../shared/tools/plakar/install.sh); nothing of the end-to-end figures was measured");
            return;
        }
        Path pkg = Path.of(System.getProperty("plugin.package", "plugin/target/package"));
        Path work = Files.createTempDirectory("bench-e2e-");
        try (SimulatedCluster node = SimulatedCluster.create()) {
            node.putEnv("PVE_FAKE_NOW", NOW);
            node.putEnv("PVE_FAKE_DISK_BYTES_100", Long.toString(gib << 30));
            Path src = Files.createDirectories(work.resolve("src"));
            Path archive = src.resolve(FILE);
            long bytes = generate(node, archive, work.resolve("vzdump.stderr"));
            Path fakeBin = fakeTools(work.resolve("bin"), node.binDir(), archive, work.resolve("vzdump.stderr"));

            PlakarHome home = new PlakarHome(bin.get(), work.resolve("home"));
            node.env().forEach(home::env);
            home.env("PATH", fakeBin + ":" + node.env().get("PATH"));
            // PLAKAR_PVE_JVM_OPTS (profiling), PLAKAR_PVE_JAVA (a JDK with jdk.jfr), ... reach the plugin
            System.getenv().forEach((k, v) -> {
                if (k.startsWith("PLAKAR_PVE_")) {
                    home.env(k, v);
                }
            });
            Path ptar = home.pkgCreate(pkg, work.resolve("out"));
            home.run("pkg", "add", ptar.toString()).ok();
            String marker = home.installedPackage().toString();
            Path dumpDir = node.newDumpDir("bench");
            Path stageDir = node.newDumpDir("restore");

            System.out.printf("bench-e2e: VM 100, %d GiB (%d bytes) of uncompressed VMA, plakar %s (real client)%n",
                    gib, bytes, bin.get());
            System.out.println("  load before: " + uptime());
            // a first start records the connectors' class-data-sharing archive: not a measured run
            warmUp(home, work, dumpDir, marker);

            // BENCH_E2E_VARIANTS="name=jvm options;name2=..." times each plugin variant in the same
            // alternation (e.g. a runtime setting before/after); default: one variant as installed
            Map<String, String> variants = variants(System.getenv("BENCH_E2E_VARIANTS"));
            Map<String, List<Run>> ours = new LinkedHashMap<>();
            Map<String, List<Run>> ourRestores = new LinkedHashMap<>();
            variants.keySet().forEach(v -> {
                ours.put(v, new ArrayList<>());
                ourRestores.put(v, new ArrayList<>());
            });
            List<Run> fs = new ArrayList<>();
            String ourSnap = null;
            String fsSnap = null;
            Path ourRepo = null;
            Path fsRepo = null;
            for (int i = 0; i < runs; i++) {
                boolean keep = i == runs - 1;
                for (Map.Entry<String, String> v : variants.entrySet()) {
                    variant(home, v.getValue());
                    Path r1 = freshRepo(home, work, "ours" + i + v.getKey());
                    Run a = timed(home, List.of("at", r1.toString(), "backup", "-o", "mode=local", "-o", "vmid=100",
                            "-o", "dump_dir=" + dumpDir, "proxmox+backup://localhost"), marker);
                    ours.get(v.getKey()).add(a);
                    if (Boolean.getBoolean("bench.verbose")) {
                        System.out.println(a.stdout + a.stderr);
                    }
                    checkBackup(a, "plugin");
                    if (keep && ourRepo == null) {
                        ourSnap = snapshot(a);
                        ourRepo = r1;
                    } else {
                        deleteTree(r1);
                    }
                }
                Path r2 = freshRepo(home, work, "fs" + i);
                Run b = timed(home, List.of("at", r2.toString(), "backup", src.toString()), marker);
                fs.add(b);
                checkBackup(b, "fs");
                if (keep) {
                    fsSnap = snapshot(b);
                    fsRepo = r2;
                } else {
                    deleteTree(r2);
                }
            }
            for (String v : variants.keySet()) {
                report("backup", "plakar backup proxmox+backup:// (our importer" + label(v, variants) + ")", ours.get(v),
                        "plakar backup <dir> (fs importer, same bytes)", fs, bytes);
            }

            String fsPath = archive.toString();
            // the importer names the record after the dump's start time
            String ls = home.run("at", ourRepo.toString(), "ls", ourSnap + ":/").ok().stdoutWithoutUnpacking();
            Matcher named = Pattern.compile("vzdump-qemu-100-\\S+\\.vma").matcher(ls);
            if (!named.find()) {
                throw new IllegalStateException("no VM dump in the snapshot:\n" + ls);
            }
            String ourFile = named.group();
            List<Run> fsRestores = new ArrayList<>();
            for (int i = 0; i < runs; i++) {
                for (Map.Entry<String, String> v : variants.entrySet()) {
                    variant(home, v.getValue());
                    Run a = timed(home, List.of("at", ourRepo.toString(), "restore", "-o", "mode=local", "-o", "dump_dir=" + stageDir,
                            "-o", "newid=300", "-to", "proxmox+backup://localhost", ourSnap + ":/" + ourFile), marker);
                    if (a.exit != 0 || !a.stderr.contains("staged ")) {
                        throw new IllegalStateException("restore through the exporter failed:\n" + a.stdout + "\n" + a.stderr);
                    }
                    ourRestores.get(v.getKey()).add(a);
                }
                Path to = work.resolve("restored" + i);
                Run b = timed(home, List.of("at", fsRepo.toString(), "restore", "-to", to.toString(), fsSnap + ":" + fsPath), marker);
                if (b.exit != 0) {
                    throw new IllegalStateException("plakar restore -to failed:\n" + b.stderr);
                }
                fsRestores.add(b);
                deleteTree(to);
            }
            for (String v : variants.keySet()) {
                report("restore", "plakar restore -to proxmox+backup:// (our exporter, staged" + label(v, variants) + ")",
                        ourRestores.get(v), "plakar restore -to <dir> (same file)", fsRestores, bytes);
            }
            System.out.println("  load after: " + uptime());
            System.out.println("  CPU from /proc/<pid>/stat every 20 ms until each process exits: plakar = its own utime+stime;"
                    + " plugin = its JVM's utime+stime plus those of the children it reaped (vzdump, cat, pvesh)."
                    + " qmrestore is a stub (exits 0 without reading the staged file).");
            home.awaitPluginExit(home.installedPackage());
        } finally {
            deleteTree(work);
        }
    }

    /** Variant name -> PLAKAR_PVE_JVM_OPTS; null value: as installed (the environment's own options). */
    static Map<String, String> variants(String spec) {
        Map<String, String> m = new LinkedHashMap<>();
        if (spec == null || spec.isBlank()) {
            m.put("", null);
            return m;
        }
        for (String part : spec.split(";")) {
            int eq = part.indexOf('=');
            // a blank option string still counts as options, so every variant starts the same way
            // (the launcher records no class-data-sharing archive when options are given)
            m.put(part.substring(0, eq).strip(), part.substring(eq + 1).isBlank() ? " " : part.substring(eq + 1));
        }
        return m;
    }

    static void variant(PlakarHome home, String jvmOpts) {
        if (jvmOpts != null) {
            home.env("PLAKAR_PVE_JVM_OPTS", jvmOpts);
        }
    }

    static String label(String variant, Map<String, String> variants) {
        return variant.isEmpty() ? "" : ", " + variant + ": " + variants.get(variant).strip();
    }

    /** One timed plakar command. */
    record Run(double wall, ProcTreeSampler.Usage plugin, int exit, String stdout, String stderr) {
        double plakarCpu() {
            return plugin.rootCpuSeconds();
        }
    }

    static Run timed(PlakarHome home, List<String> args, String marker) throws Exception {
        List<String> argv = new ArrayList<>(List.of(home.plakar().toString()));
        argv.addAll(args);
        Path out = Files.createTempFile("e2e", ".out");
        Path err = Files.createTempFile("e2e", ".err");
        try {
            ProcessBuilder pb = new ProcessBuilder(argv).directory(home.home().toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(out.toFile()).redirectError(err.toFile());
            pb.environment().clear();
            pb.environment().putAll(home.environment());
            long t0 = System.nanoTime();
            Process p = pb.start();
            ProcTreeSampler sampler = ProcTreeSampler.start(p.toHandle(), c -> c.contains(marker));
            if (!p.waitFor(30, TimeUnit.MINUTES)) {
                io.plakar.pve.tools.plakar.Cmd.stop(p);
                throw new IllegalStateException("timed out: " + argv);
            }
            double wall = (System.nanoTime() - t0) / 1e9;
            ProcTreeSampler.Usage plugin = sampler.stop();
            String stderr = Files.readString(err, StandardCharsets.UTF_8);
            home.awaitPluginExit(home.installedPackage());
            return new Run(wall, plugin, p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), stderr);
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    static void report(String what, String oursName, List<Run> ours, String ceilingName, List<Run> ceiling, long bytes) {
        List<Double> ow = ours.stream().map(Run::wall).sorted().toList();
        List<Double> cw = ceiling.stream().map(Run::wall).sorted().toList();
        System.out.printf("  %s, %d runs each, alternated (wall s: min / median; each run: wall, CPU plakar, CPU plugin, plugin peak RSS)%n",
                what, ours.size());
        System.out.printf("    %-62s %6.1f / %6.1f s  %5.0f MB/s%n", oursName, ow.get(0), median(ow), bytes / 1e6 / median(ow));
        for (Run r : ours) {
            System.out.printf("      run: %6.1f s wall, plakar %5.1f CPU-s, plugin %5.1f CPU-s, plugin peak RSS %d MiB%n",
                    r.wall, r.plakarCpu(), r.plugin.cpuSeconds(), r.plugin.peakRssBytes() >> 20);
        }
        System.out.printf("    %-62s %6.1f / %6.1f s  %5.0f MB/s%n", ceilingName, cw.get(0), median(cw), bytes / 1e6 / median(cw));
        for (Run r : ceiling) {
            System.out.printf("      run: %6.1f s wall, plakar %5.1f CPU-s%n", r.wall, r.plakarCpu());
        }
        System.out.printf("    ratio (ceiling time / our time): median %.2f, best %.2f (goal >= 0.85)%n",
                median(cw) / median(ow), cw.get(0) / ow.get(0));
    }

    static double median(List<Double> sorted) {
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    static void checkBackup(Run r, String what) {
        if (r.exit != 0 || !r.stdout.contains("backup completed without errors")) {
            throw new IllegalStateException(what + " backup failed:\n" + r.stdout + "\n" + r.stderr);
        }
    }

    static String snapshot(Run r) {
        Matcher m = SNAPSHOT.matcher(r.stdout);
        if (!m.find()) {
            throw new IllegalStateException("no snapshot id in:\n" + r.stdout);
        }
        return m.group(1);
    }

    static Path freshRepo(PlakarHome home, Path work, String name) {
        Path repo = work.resolve("repo-" + name);
        home.run("at", repo.toString(), "create", "-plaintext").ok();
        return repo;
    }

    /** One small backup before the measured runs: the launcher records its class-data-sharing archive at the first start. */
    static void warmUp(PlakarHome home, Path work, Path dumpDir, String marker) throws Exception {
        Path repo = freshRepo(home, work, "warmup");
        Cmd.Result r = home.run("at", repo.toString(), "backup", "-o", "mode=local", "-o", "vmid=101",
                "-o", "dump_dir=" + dumpDir, "proxmox+backup://localhost");
        home.awaitPluginExit(home.installedPackage());
        if (r.exit() != 0) {
            throw new IllegalStateException("warm-up backup failed:\n" + r);
        }
        deleteTree(repo);
    }

    /** The simulator's vzdump, run once into a file; returns its size. */
    static long generate(SimulatedCluster node, Path archive, Path stderr) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(node.binDir().resolve("vzdump").toString(), "100", "--stdout", "1",
                "--mode", "snapshot", "--compress", "0", "--dumpdir", node.localDumpDir().toString())
                .redirectOutput(archive.toFile()).redirectError(stderr.toFile());
        pb.environment().putAll(node.env());
        Process p = pb.start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("vzdump failed: " + Files.readString(stderr));
        }
        return Files.size(archive);
    }

    /**
     * {@code vzdump} and {@code qmrestore} first in PATH: vzdump of VM 100 to stdout is one {@code cat}
     * of the pre-generated archive (with the simulator's stderr lines); everything else goes to the
     * simulator. qmrestore exits 0 at once (see the class comment).
     */
    static Path fakeTools(Path dir, Path simBin, Path archive, Path stderr) throws IOException {
        Files.createDirectories(dir);
        String vzdump = "#!/bin/sh\n"
                + "# bench-e2e: vzdump of VM 100 to stdout costs one cat of the pre-generated archive\n"
                + "if [ \"$1\" = 100 ] && [ \"$2\" = --stdout ] && [ \"$3\" = 1 ]; then\n"
                + "  grep -v '^INFO: \\(Backup finished\\|Finished Backup\\|Backup job finished\\)' '" + stderr + "' >&2\n"
                + "  cat '" + archive + "' || exit 255\n"
                + "  grep '^INFO: \\(Backup finished\\|Finished Backup\\|Backup job finished\\)' '" + stderr + "' >&2\n"
                + "  exit 0\n"
                + "fi\n"
                + "exec '" + simBin.resolve("vzdump") + "' \"$@\"\n";
        String qmrestore = "#!/bin/sh\n"
                + "# bench-e2e: the restore tool is not what is measured\n"
                + "echo \"restore vma archive: $1 (bench stub, not read)\"\n"
                + "exit 0\n";
        write(dir.resolve("vzdump"), vzdump);
        write(dir.resolve("qmrestore"), qmrestore);
        return dir;
    }

    private static void write(Path p, String text) throws IOException {
        Files.writeString(p, text);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    static String uptime() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).strip();
        } catch (IOException e) {
            return "?";
        }
    }

    static void deleteTree(Path p) throws IOException {
        if (p == null || !Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }
}
