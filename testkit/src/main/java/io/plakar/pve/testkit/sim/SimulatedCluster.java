package io.plakar.pve.testkit.sim;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A simulated Proxmox VE cluster state directory (see {@code simulator/README.md}) plus helpers to
 * run the fake tools locally. Every node of the simulated cluster shares this state; the node a
 * tool runs "on" is selected with {@code PVE_FAKE_NODE} ({@link #env(String)}).
 */
public final class SimulatedCluster implements AutoCloseable {
    private final Path tempRoot;
    private final Path stateDir;
    private final Map<String, String> extraEnv = new TreeMap<>();

    private SimulatedCluster(Path tempRoot, Path stateDir) {
        this.tempRoot = tempRoot;
        this.stateDir = stateDir;
    }

    /** New state dir with the {@code default} scenario (pve1 local, VM 100, CT 101, VM 102 on pve2, template 9000). */
    public static SimulatedCluster create() throws IOException {
        return create("default");
    }

    /** New state dir with scenario {@code default}, {@code demo} or {@code empty}. */
    public static SimulatedCluster create(String scenario) throws IOException {
        Path root = Files.createTempDirectory("pve-sim-");
        openUp(root);
        Path state = root.resolve("state");
        ProcResult r = exec(List.of(binDirStatic().resolve("pve-sim-init").toString(), state.toString(),
                "--scenario", scenario), Map.of(), null, 30);
        if (r.exitCode() != 0) {
            deleteTree(root);
            throw new IOException("pve-sim-init failed: " + r);
        }
        return new SimulatedCluster(root, state);
    }

    // ------------------------------------------------------------------ locations

    /** Repository root: system property {@code repo.root}, else walk up from cwd to the dir containing {@code simulator/}. */
    public static Path repoRoot() {
        String prop = System.getProperty("repo.root");
        if (prop != null && !prop.isEmpty()) {
            return Paths.get(prop).toAbsolutePath().normalize();
        }
        Path p = Paths.get("").toAbsolutePath();
        while (p != null) {
            if (Files.isDirectory(p.resolve("simulator").resolve("bin"))) {
                return p;
            }
            p = p.getParent();
        }
        throw new IllegalStateException("cannot locate repository root (set -Drepo.root=...)");
    }

    private static Path binDirStatic() {
        return repoRoot().resolve("simulator").resolve("bin");
    }

    /** {@code <repo>/simulator/bin} (vzdump, pvesh, qm, pct, qmrestore, pve-sim-init). */
    public Path binDir() {
        return binDirStatic();
    }

    public Path stateDir() {
        return stateDir;
    }

    /** Scratch space next to the state dir (deleted on close). */
    public Path tempRoot() {
        return tempRoot;
    }

    /** Name of the cluster's local node ({@code local_node} in cluster.json). */
    public String localNode() {
        return (String) cluster().get("local_node");
    }

    /** Environment for local-mode runs on the local node: PATH (simulator/bin first), PVE_FAKE_STATE, PVE_FAKE_NODE, extras. */
    public Map<String, String> env() {
        return env(localNode());
    }

    /** Environment for local-mode runs on the given node. */
    public Map<String, String> env(String node) {
        Map<String, String> m = new LinkedHashMap<>(extraEnv);
        String path = System.getenv("PATH");
        m.put("PATH", binDir() + (path == null || path.isEmpty() ? ":/usr/local/bin:/usr/bin:/bin" : ":" + path));
        m.put("PVE_FAKE_STATE", stateDir.toString());
        m.put("PVE_FAKE_NODE", node);
        return m;
    }

    /**
     * Extra variable for every tool run (e.g. {@code PVE_FAKE_NOW}, {@code PVE_FAKE_DISK_BYTES_100});
     * also written to {@code <state>/session.env} so SSH sessions of {@link LoopbackSshd} see it. null removes.
     */
    public synchronized SimulatedCluster putEnv(String key, String value) {
        if (!key.matches("[A-Za-z_][A-Za-z0-9_]*")) {
            throw new IllegalArgumentException("bad env name " + key);
        }
        if (value == null) {
            extraEnv.remove(key);
        } else {
            extraEnv.put(key, value);
        }
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, String> e : extraEnv.entrySet()) {
            sb.append(e.getKey()).append("='").append(e.getValue().replace("'", "'\\''")).append("'\nexport ")
                    .append(e.getKey()).append('\n');
        }
        writeFile("session.env", sb.toString());
        return this;
    }

    // ------------------------------------------------------------------ cluster / guests

    public Map<String, Object> cluster() {
        return StateJson.parseObject(readFile("cluster.json", "{}"));
    }

    public void writeCluster(Map<String, Object> cluster) {
        writeFile("cluster.json", StateJson.write(cluster) + "\n");
    }

    /** Adds (or replaces) a cluster node. */
    @SuppressWarnings("unchecked")
    public SimulatedCluster addNode(String name, String ip, boolean online) {
        Map<String, Object> c = cluster();
        List<Object> nodes = (List<Object>) c.computeIfAbsent("nodes", k -> new ArrayList<>());
        nodes.removeIf(n -> name.equals(((Map<String, Object>) n).get("name")));
        Map<String, Object> n = new LinkedHashMap<>();
        n.put("name", name);
        n.put("ip", ip);
        n.put("online", online ? 1 : 0);
        nodes.add(n);
        writeCluster(c);
        Map<String, Object> st = storageConfig();
        if (!st.containsKey(name)) {
            Path local = stateDir.resolve("storage").resolve("local-" + name);
            mkdirOpen(local.resolve("dump"));
            List<Object> l = new ArrayList<>();
            l.add(map("storage", "local", "type", "dir", "content", "iso,vztmpl,backup", "path", local.toString()));
            l.add(map("storage", "local-lvm", "type", "lvmthin", "content", "images,rootdir"));
            st.put(name, l);
            writeFile("storage.json", StateJson.write(st) + "\n");
        }
        return this;
    }

    /** Makes {@code name} the cluster's local node (default for tools without PVE_FAKE_NODE). */
    public SimulatedCluster setLocalNode(String name) {
        Map<String, Object> c = cluster();
        c.put("local_node", name);
        writeCluster(c);
        return this;
    }

    public SimulatedCluster addGuest(Guest g) {
        writeFile("guests/" + g.vmid + ".json", StateJson.write(g.toMap()) + "\n");
        return this;
    }

    /** The guest, or null. */
    public Guest guest(int vmid) {
        String s = readFile("guests/" + vmid + ".json", null);
        return s == null ? null : Guest.fromMap(StateJson.parseObject(s));
    }

    public List<Guest> guests() {
        try (Stream<Path> s = Files.list(stateDir.resolve("guests"))) {
            return s.filter(p -> p.getFileName().toString().matches("\\d+\\.json"))
                    .map(p -> guest(Integer.parseInt(p.getFileName().toString().replace(".json", ""))))
                    .filter(g -> g != null)
                    .sorted(Comparator.comparingInt(g -> g.vmid))
                    .collect(Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Read-modify-write of one guest. */
    public SimulatedCluster updateGuest(int vmid, Consumer<Guest> change) {
        Guest g = guest(vmid);
        if (g == null) {
            throw new IllegalArgumentException("no guest " + vmid);
        }
        change.accept(g);
        return addGuest(g);
    }

    public SimulatedCluster removeGuest(int vmid) {
        try {
            Files.deleteIfExists(stateDir.resolve("guests").resolve(vmid + ".json"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    public Map<String, Object> pools() {
        return StateJson.parseObject(readFile("pools.json", "{}"));
    }

    /** Adds a pool (members are the guests whose {@code pool} field names it). */
    public SimulatedCluster addPool(String poolid, String comment) {
        Map<String, Object> p = pools();
        Map<String, Object> e = new LinkedHashMap<>();
        if (comment != null) {
            e.put("comment", comment);
        }
        p.put(poolid, e);
        writeFile("pools.json", StateJson.write(p) + "\n");
        return this;
    }

    public SimulatedCluster removePool(String poolid) {
        Map<String, Object> p = pools();
        p.remove(poolid);
        writeFile("pools.json", StateJson.write(p) + "\n");
        return this;
    }

    public Map<String, Object> storageConfig() {
        return StateJson.parseObject(readFile("storage.json", "{}"));
    }

    /** Adds/replaces a storage entry of a node, e.g. {@code map("storage","nas","type","nfs","content","backup,images")}. */
    @SuppressWarnings("unchecked")
    public SimulatedCluster addStorage(String node, Map<String, Object> storage) {
        Map<String, Object> st = storageConfig();
        List<Object> l = (List<Object>) st.computeIfAbsent(node, k -> new ArrayList<>());
        l.removeIf(o -> storage.get("storage").equals(((Map<String, Object>) o).get("storage")));
        l.add(storage);
        writeFile("storage.json", StateJson.write(st) + "\n");
        return this;
    }

    /** Dump directory of the local node's {@code local} storage (where vzdump writes without --dumpdir). */
    public Path localDumpDir() {
        return stateDir.resolve("storage").resolve("local").resolve("dump");
    }

    /** Creates a fresh world-writable dump dir (usable by the ssh test user). */
    public Path newDumpDir(String name) {
        Path d = tempRoot.resolve("dumps").resolve(name);
        mkdirOpen(d);
        return d;
    }

    /** Regular files in a dump dir, sorted by name. */
    /** Every regular file under a dump dir, at any depth (the plugin works in private subdirectories). */
    public List<Path> listDumpDir(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).sorted().collect(Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ------------------------------------------------------------------ faults

    /**
     * Sets one fault: {@code setFault("vzdump", 100, map("kind","fail_after_bytes","bytes",1048576))}.
     * Tools: vzdump, qmrestore, pct (pct restore). vmid 0 = wildcard ({@code "*"}).
     */
    @SuppressWarnings("unchecked")
    public SimulatedCluster setFault(String tool, int vmid, Map<String, Object> spec) {
        Map<String, Object> f = StateJson.parseObject(readFile("faults.json", "{}"));
        Map<String, Object> t = (Map<String, Object>) f.computeIfAbsent(tool, k -> new LinkedHashMap<>());
        t.put(vmid == 0 ? "*" : Integer.toString(vmid), spec);
        writeFile("faults.json", StateJson.write(f) + "\n");
        return this;
    }

    /** Convenience: {@code fault("vzdump", 100, "fail_after_bytes", "bytes", 4096, "message", "boom")}. */
    public SimulatedCluster fault(String tool, int vmid, String kind, Object... keyValues) {
        Map<String, Object> spec = map(keyValues);
        spec.put("kind", kind);
        return setFault(tool, vmid, spec);
    }

    /**
     * Pauses {@code tool}'s stream for {@code vmid} once exactly {@code bytes} archive bytes have
     * been written, so that a test can act at that point (drop a connection, cancel) instead of
     * guessing with a sleep. Wait with {@link StreamPause#awaitPaused}, then {@link StreamPause#resume}.
     */
    public StreamPause pauseAfterBytes(String tool, int vmid, long bytes) {
        Path marker = stateDir.resolve("pause-" + tool + "-" + vmid + "-" + System.nanoTime());
        fault(tool, vmid, "pause_after_bytes", "bytes", bytes, "marker", marker.toString());
        return new StreamPause(marker);
    }

    /** The test's side of a {@code pause_after_bytes} fault. */
    public static final class StreamPause {
        private final Path marker;

        StreamPause(Path marker) {
            this.marker = marker;
        }

        /** pid of the paused tool (written into the marker), once paused. */
        public long pid() {
            try {
                return Long.parseLong(Files.readString(marker).trim().split("\\s+")[0]);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** True while the tool waits at the pause point. */
        public boolean isPaused() {
            return Files.exists(marker);
        }

        /** Blocks until the tool has written the bytes and paused. */
        public void awaitPaused(java.time.Duration timeout) {
            long end = System.nanoTime() + timeout.toNanos();
            while (!Files.exists(marker)) {
                if (System.nanoTime() > end) {
                    throw new AssertionError("the stream never reached its pause point: " + marker);
                }
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError(e);
                }
            }
        }

        /** Lets the paused tool go on writing. */
        public void resume() {
            try {
                Files.deleteIfExists(marker);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Sets a fault under a string key (e.g. pvesh faults keyed by API path). */
    @SuppressWarnings("unchecked")
    public SimulatedCluster setFault(String tool, String key, Map<String, Object> spec) {
        Map<String, Object> f = StateJson.parseObject(readFile("faults.json", "{}"));
        Map<String, Object> t = (Map<String, Object>) f.computeIfAbsent(tool, k -> new LinkedHashMap<>());
        t.put(key, spec);
        writeFile("faults.json", StateJson.write(f) + "\n");
        return this;
    }

    /**
     * Pauses the next {@code pvesh get <apiPath>} (e.g. {@code /cluster/resources}, {@code /cluster/status})
     * before it prints anything: the test can drop an SSH connection exactly during inventory.
     * One use; {@link StreamPause#awaitPaused} / {@link StreamPause#resume} as for streams.
     */
    public StreamPause pausePvesh(String apiPath) {
        Path marker = stateDir.resolve("pause-pvesh-" + apiPath.replaceAll("[^A-Za-z0-9]+", "_") + "-" + System.nanoTime());
        setFault("pvesh", apiPath, map("kind", "pause", "marker", marker.toString(), "times", 1));
        return new StreamPause(marker);
    }

    /** Makes the next {@code pvesh get <apiPath>} fail with {@code message} (exit 255). One use. */
    public SimulatedCluster failPvesh(String apiPath, String message) {
        return setFault("pvesh", apiPath, map("kind", "fail", "message", message, "times", 1));
    }

    /**
     * A "scheduled backup job" on {@code node}: {@code vzdump <vmid> --dumpdir <dumpDir>} (null = the node's
     * {@code local} storage) started in the background, paused after {@code bytes} archive bytes while it holds
     * the node's global vzdump lock and its {@code .dat} file exists in the dump dir. Returns once it is paused;
     * {@link ScheduledJob#release()} lets it finish (archive + {@code .log} appear).
     */
    public ScheduledJob scheduledJob(String node, int vmid, Path dumpDir, long bytes) throws IOException {
        StreamPause pause = new StreamPause(stateDir.resolve("pause-scheduled-" + vmid + "-" + System.nanoTime()));
        Map<String, Object> spec = map("kind", "pause_after_bytes", "bytes", bytes, "marker", pause.marker.toString(),
                "times", 1);
        setFault("vzdump", vmid, spec);
        List<String> argv = new ArrayList<>(List.of(binDir().resolve("vzdump").toString(), Integer.toString(vmid),
                "--mode", "snapshot", "--compress", "zstd"));
        if (dumpDir != null) {
            argv.add("--dumpdir");
            argv.add(dumpDir.toString());
        } else {
            argv.add("--storage");
            argv.add("local");
        }
        ProcessBuilder pb = new ProcessBuilder(argv);
        pb.environment().putAll(env(node));
        Process p = pb.start();
        CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> drain(p.getInputStream()));
        CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> drain(p.getErrorStream()));
        p.getOutputStream().close();
        ScheduledJob job = new ScheduledJob(p, pause, out, err);
        try {
            pause.awaitPaused(java.time.Duration.ofSeconds(60));
        } catch (AssertionError e) {
            p.destroyForcibly();
            throw new AssertionError("scheduled job never paused: " + job.awaitExit(java.time.Duration.ofSeconds(5)), e);
        }
        return job;
    }

    /** The test's handle on a {@link #scheduledJob} run. */
    public static final class ScheduledJob {
        private final Process process;
        private final StreamPause pause;
        private final CompletableFuture<byte[]> out;
        private final CompletableFuture<byte[]> err;

        ScheduledJob(Process process, StreamPause pause, CompletableFuture<byte[]> out, CompletableFuture<byte[]> err) {
            this.process = process;
            this.pause = pause;
            this.out = out;
            this.err = err;
        }

        public long pid() {
            return process.pid();
        }

        public boolean isAlive() {
            return process.isAlive();
        }

        /** Lets the job finish writing (it keeps the global lock until it exits). */
        public void release() {
            pause.resume();
        }

        /** Waits for the job's exit (stdout carries its log, as vzdump without --stdout). */
        public ProcResult awaitExit(java.time.Duration timeout) {
            try {
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    throw new AssertionError("scheduled job still running after " + timeout);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
            return new ProcResult(process.exitValue(), out.join(), err.join());
        }
    }

    public SimulatedCluster clearFaults() {
        try {
            Files.deleteIfExists(stateDir.resolve("faults.json"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    // ------------------------------------------------------------------ audit / restores

    /** Every fake-tool invocation: maps with tool, argv, node, ts, pid. */
    public List<Map<String, Object>> audit() {
        return readJsonl("audit.jsonl");
    }

    /** argv (tool name first) of every invocation. */
    @SuppressWarnings("unchecked")
    public List<List<String>> auditArgv() {
        List<List<String>> res = new ArrayList<>();
        for (Map<String, Object> m : audit()) {
            List<String> l = new ArrayList<>();
            l.add((String) m.get("tool"));
            for (Object o : (List<Object>) m.get("argv")) {
                l.add((String) o);
            }
            res.add(l);
        }
        return res;
    }

    /** argv lists of one tool only (tool name first). */
    public List<List<String>> auditArgv(String tool) {
        return auditArgv().stream().filter(l -> l.get(0).equals(tool)).collect(Collectors.toList());
    }

    /** Volume allocations/frees: maps with op ({@code alloc}|{@code free}), volid, vmid, tool, pid, ts. */
    public List<Map<String, Object>> volumeEvents() {
        return readJsonl("volumes.jsonl");
    }

    /** Guests removed by {@code qm destroy} / {@code pct destroy}: vmid, type, purge, volumes, tags, pool. */
    public List<Map<String, Object>> destroyed() {
        return readJsonl("destroyed.jsonl");
    }

    /** Progress marks of tools (events.jsonl): tool, event ({@code waiting-for-global-lock}, {@code got-global-lock}, {@code locked}), pid, node, vmid?. */
    public List<Map<String, Object>> events() {
        return readJsonl("events.jsonl");
    }

    /** Waits until a tool logged {@code event} (see {@link #events()}) from process {@code pid} (or any pid if {@code pid <= 0}). */
    public Map<String, Object> awaitEvent(String tool, String event, long pid, java.time.Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        while (true) {
            for (Map<String, Object> e : events()) {
                if (tool.equals(e.get("tool")) && event.equals(e.get("event"))
                        && (pid <= 0 || ((Number) e.get("pid")).longValue() == pid)) {
                    return e;
                }
            }
            if (System.nanoTime() > end) {
                throw new AssertionError("no event " + tool + "/" + event + " (pid " + pid + ") in " + events());
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    /** pids of every invocation of {@code tool} (from the audit log, in order). */
    public List<Long> pids(String tool) {
        return audit().stream().filter(m -> tool.equals(m.get("tool")))
                .map(m -> ((Number) m.get("pid")).longValue()).collect(Collectors.toList());
    }

    /** Sends a signal ({@code TERM}, {@code INT}, {@code HUP}, {@code PIPE}, {@code KILL}) to a tool's pid. */
    public static void signal(long pid, String sig) {
        try {
            Process p = new ProcessBuilder("kill", "-s", sig, Long.toString(pid)).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new IllegalStateException("kill -s " + sig + " " + pid + ": " + out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Starts a tool in the background on {@code node} with stdin from {@code stdin} (null: closed). Caller drains/waits. */
    public Process startOn(String node, byte[] stdin, String... argv) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(argv));
        Path tool = binDir().resolve(cmd.get(0));
        if (Files.isExecutable(tool)) {
            cmd.set(0, tool.toString());
        }
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().putAll(env(node));
        Process p = pb.start();
        if (stdin == null) {
            p.getOutputStream().close();
        } else {
            CompletableFuture.runAsync(() -> {
                try (OutputStream os = p.getOutputStream()) {
                    os.write(stdin);
                } catch (IOException ignored) {
                    // the tool stopped reading (fault, signal): fine
                }
            });
        }
        return p;
    }

    /** A tool running in the background whose stdout/stderr are drained from the start. */
    public static final class Background {
        private final Process process;
        private final CompletableFuture<byte[]> out;
        private final CompletableFuture<byte[]> err;

        Background(Process process) {
            this.process = process;
            this.out = CompletableFuture.supplyAsync(() -> drain(process.getInputStream()));
            this.err = CompletableFuture.supplyAsync(() -> drain(process.getErrorStream()));
        }

        public long pid() {
            return process.pid();
        }

        public boolean isAlive() {
            return process.isAlive();
        }

        /** Sends a signal to the tool (see {@link SimulatedCluster#signal}). */
        public Background signal(String sig) {
            SimulatedCluster.signal(process.pid(), sig);
            return this;
        }

        public ProcResult await(java.time.Duration timeout) {
            try {
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly();
                    throw new AssertionError("process " + process.pid() + " still running after " + timeout);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
            return new ProcResult(process.exitValue(), out.join(), err.join());
        }
    }

    /** Starts a tool on {@code node} in the background, output drained, stdin from {@code stdin} (null: closed). */
    public Background background(String node, byte[] stdin, String... argv) throws IOException {
        Process p = startOn(node, stdin, argv);
        return new Background(p);
    }

    /** Waits for a started process and collects its output (the streams must not have been read yet). */
    public static ProcResult finish(Process p, java.time.Duration timeout) {
        CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> drain(p.getInputStream()));
        CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> drain(p.getErrorStream()));
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("process " + p.pid() + " still running after " + timeout);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        return new ProcResult(p.exitValue(), out.join(), err.join());
    }

    /** qmrestore / pct restore records: tool, vmid, archive, bytes_read, sha256_uncompressed, options, ok, error?. */
    public List<Map<String, Object>> restores() {
        return readJsonl("restores.jsonl");
    }

    // ------------------------------------------------------------------ running tools

    /** Runs a fake tool locally on the local node (argv[0] = tool name, resolved in simulator/bin). */
    public ProcResult run(String... argv) {
        return runOn(localNode(), null, argv);
    }

    /** Runs with the given bytes on stdin. */
    public ProcResult runWithInput(byte[] stdin, String... argv) {
        return runOn(localNode(), stdin, argv);
    }

    public ProcResult runOn(String node, byte[] stdin, String... argv) {
        List<String> cmd = new ArrayList<>(List.of(argv));
        Path tool = binDir().resolve(cmd.get(0));
        if (Files.isExecutable(tool)) {
            cmd.set(0, tool.toString());
        }
        try {
            return exec(cmd, env(node), stdin, 300);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts a tool as a process (caller owns streams), local node environment. */
    public Process start(String... argv) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(argv));
        Path tool = binDir().resolve(cmd.get(0));
        if (Files.isExecutable(tool)) {
            cmd.set(0, tool.toString());
        }
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().putAll(env());
        return pb.start();
    }

    static ProcResult exec(List<String> cmd, Map<String, String> env, byte[] stdin, int timeoutSec) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().putAll(env);
        Process p = pb.start();
        CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> drain(p.getInputStream()));
        CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> drain(p.getErrorStream()));
        try (OutputStream os = p.getOutputStream()) {
            if (stdin != null) {
                os.write(stdin);
            }
        } catch (IOException ignored) {
            // tool exited early (e.g. injected fault): fine
        }
        try {
            if (!p.waitFor(timeoutSec, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                throw new IOException("timeout running " + cmd);
            }
            return new ProcResult(p.exitValue(), out.join(), err.join());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    static byte[] drain(InputStream in) {
        try (in) {
            ByteArrayOutputStream bo = new ByteArrayOutputStream();
            in.transferTo(bo);
            return bo.toByteArray();
        } catch (IOException e) {
            return new byte[0];
        }
    }

    // ------------------------------------------------------------------ helpers

    /** Builds a LinkedHashMap from key/value pairs. */
    public static Map<String, Object> map(Object... kv) {
        if (kv.length % 2 != 0) {
            throw new IllegalArgumentException("odd number of key/values");
        }
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    private String readFile(String rel, String def) {
        Path p = stateDir.resolve(rel);
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (java.nio.file.NoSuchFileException e) {
            return def;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void writeFile(String rel, String content) {
        Path p = stateDir.resolve(rel);
        Path tmp = p.resolveSibling(p.getFileName() + ".tmp.java." + ProcessHandle.current().pid());
        try {
            Files.writeString(tmp, content, StandardCharsets.UTF_8);
            setPerms(tmp, "rw-rw-rw-");
            Files.move(tmp, p, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private List<Map<String, Object>> readJsonl(String rel) {
        List<Map<String, Object>> res = new ArrayList<>();
        for (String line : readFile(rel, "").split("\n")) {
            if (!line.isBlank()) {
                res.add(StateJson.parseObject(line));
            }
        }
        return res;
    }

    static void mkdirOpen(Path d) {
        try {
            Files.createDirectories(d);
            setPerms(d, "rwxrwxrwx");
            if (d.getParent() != null) {
                setPerms(d.getParent(), "rwxrwxrwx");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void openUp(Path d) throws IOException {
        setPerms(d, "rwxrwxrwx");
    }

    static void setPerms(Path p, String perms) {
        try {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(perms));
        } catch (IOException | UnsupportedOperationException e) {
            // not owner / not posix: best effort
        }
    }

    static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> s = Files.walk(root)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort
                }
            });
        } catch (IOException ignored) {
            // best effort
        }
    }

    @Override
    public void close() {
        deleteTree(tempRoot);
    }
}
