package io.plakar.pve.plugin.reliability;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.plakar.pve.proto.connectors.FileInfo;
import io.plakar.pve.proto.connectors.Record;
import io.plakar.pve.proto.connectors.Result;
import io.plakar.pve.testkit.host.BackupOptions;
import io.plakar.pve.testkit.host.ExportItem;
import io.plakar.pve.testkit.host.Snapshot;
import io.plakar.pve.testkit.sim.SimulatedCluster;
import io.plakar.pve.testkit.sim.LoopbackSshd;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BiConsumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hostile input against the three packaged connectors: every config key (and -o option) fed
 * every hostile family plus a seeded generated corpus, many Inits per plugin process; configs
 * that are accepted are then run for real. Proven for all of it: refusals are clear (they name
 * the key, show no secret and no raw control character), the plugin survives, every argv the
 * fake node received matches {@link ArgvAllowList}, no shell payload ever ran (canary file),
 * and no file appeared outside dump_dir. Then thousands of hostile snapshot paths in one
 * restore.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostileInputIT {
    static final long SEED = 0x5EED_2026L;
    static final int GENERATED = Integer.getInteger("reliability.generated", 600);
    static final String SECRET = "hostile-base-secret-4b8e1f";

    SimulatedCluster node;
    LoopbackSshd sshd;
    Path dumpDir;
    Path canary;
    HostileValues hv;
    Map<String, Long> treeBefore;
    Map<String, Long> homeBefore;
    int auditStart;
    final Set<String> dumpDirs = new LinkedHashSet<>();

    String quiet;

    @BeforeAll
    void start() throws Exception {
        // thousands of refused Inits: keep the plugins' stderr out of the build log (it is still captured)
        quiet = System.getProperty("testhost.quiet");
        System.setProperty("testhost.quiet", "true");
        node = Rel.node();
        node.updateGuest(101, g -> g.diskBytes(256L << 10));
        sshd = LoopbackSshd.start(node);
        dumpDir = node.newDumpDir("hostile");
        dumpDirs.add(dumpDir.toString());
        canary = node.tempRoot().resolve("CANARY-" + Long.toHexString(new Random().nextLong()));
        hv = new HostileValues(canary.toString());
        Capture.secret(SECRET);
        auditStart = node.audit().size();
        treeBefore = sandboxTree();
        homeBefore = Rel.tree(home());
    }

    @AfterAll
    void stop() {
        try {
            boolean ran = Files.exists(canary);
            boolean tree = treeBefore.equals(sandboxTree());
            boolean home = homeBefore.equals(Rel.tree(home()));
            FiguresReport.security("shell payloads in every hostile value (`touch <canary>`); files outside dump_dir",
                    (ran ? "CANARY CREATED" : "canary never created") + "; " + (tree && home
                            ? "sandbox and ssh user's home unchanged" : "FILES CHANGED outside dump_dir"));
            assertFalse(ran, "a shell payload ran: " + canary + " exists");
            assertEquals(treeBefore, sandboxTree(), "files appeared or changed outside dump_dir");
            assertEquals(homeBefore, Rel.tree(home()), "files appeared in the ssh user's home");
        } finally {
            sshd.close();
            node.close();
            if (quiet == null) {
                System.clearProperty("testhost.quiet");
            } else {
                System.setProperty("testhost.quiet", quiet);
            }
        }
        Capture.assertNoLeaks();
    }

    Path home() {
        return Path.of(sshd.password() != null ? "/home/" + sshd.username() : System.getProperty("user.home"));
    }

    /** The fake node's scratch area minus the simulator's own bookkeeping (state/) and sshd's work dir. */
    Map<String, Long> sandboxTree() {
        Map<String, Long> t = new TreeMap<>(Rel.tree(node.tempRoot()));
        t.keySet().removeIf(k -> k.startsWith("state/") || k.startsWith("sshd-"));
        return t;
    }

    /** What a corpus run saw. */
    static final class Outcome {
        int tried;
        int refused;
        int accepted;
        int crashes;
        final List<String> problems = new ArrayList<>();
        final List<Map<String, String>> acceptedConfigs = new ArrayList<>();
        final List<String> acceptedKeys = new ArrayList<>();
    }

    /**
     * Init with every (key, hostile value) pair on top of each base config, then GENERATED random
     * multi-key mutations; one plugin process for all (Init errors run nothing), respawned if it dies.
     */
    Outcome initCorpus(String label, Path exe, String proto, List<Map<String, String>> bases, List<String> keys,
                       Set<String> secretKeys) {
        return initCorpus(label, exe, proto, bases, keys, secretKeys, 1);
    }

    /**
     * {@code remoteEvery}: connection keys go on the remote base for every n-th hostile value only (the
     * exporter opens its SSH connection at Init, so an accepted remote config costs a handshake; the
     * same ConnectionConfig is fully covered on the importer's remote base), on the local base otherwise.
     */
    Outcome initCorpus(String label, Path exe, String proto, List<Map<String, String>> bases, List<String> keys,
                       Set<String> secretKeys, int remoteEvery) {
        long t0 = System.nanoTime();
        Outcome o = new Outcome();
        List<Map<String, String>> cases = new ArrayList<>();
        List<String> caseKeys = new ArrayList<>();
        List<String> allKeys = new ArrayList<>(keys);
        allKeys.addAll(List.of("VMID", "vmid;" + "touch " + canary, "dump_dir\n", "", "../dump_dir", "ｍｏｄｅ"));
        for (String k : allKeys) {
            // connection keys on the remote base (where they are validated), the rest on the first (local) base
            boolean conn = k.startsWith("conn_") || k.startsWith("ssh_") || k.equals("location") || k.equals("node_hosts");
            int nth = 0;
            for (String v : hv.all()) {
                boolean remote = conn && nth++ % remoteEvery == 0;
                Map<String, String> c = new LinkedHashMap<>(bases.get(remote ? bases.size() - 1 : 0));
                c.put(k, v);
                cases.add(c);
                caseKeys.add(k);
            }
        }
        Random r = new Random(SEED ^ label.hashCode());
        for (int i = 0; i < GENERATED; i++) {
            Map<String, String> c = new LinkedHashMap<>(bases.get(r.nextInt(4 * remoteEvery) == 0 ? bases.size() - 1 : 0));
            int n = 1 + r.nextInt(3);
            StringBuilder ks = new StringBuilder();
            for (int j = 0; j < n; j++) {
                String k = allKeys.get(r.nextInt(allKeys.size()));
                if (r.nextInt(6) == 0) {
                    c.remove(k);
                } else {
                    c.put(k, hv.generate(r));
                }
                ks.append(j == 0 ? "" : ",").append(k);
            }
            cases.add(c);
            caseKeys.add(ks.toString());
        }
        Rel.Plugin p = new Rel.Plugin(exe, node.env(), label + " corpus");
        try {
            for (int i = 0; i < cases.size(); i++) {
                Map<String, String> c = cases.get(i);
                o.tried++;
                try {
                    if (proto.equals("proxmox+backup-exporter")) {
                        p.process.exporter().init("proxmox+backup", c);
                    } else {
                        p.process.importer().init(proto, c);
                    }
                    o.accepted++;
                    o.acceptedConfigs.add(c);
                    o.acceptedKeys.add(caseKeys.get(i));
                } catch (StatusRuntimeException e) {
                    if (!p.process.process().isAlive()) {
                        o.crashes++;
                        o.problems.add("plugin died on " + printable(c));
                        p.close();
                        p = new Rel.Plugin(exe, node.env(), label + " corpus");
                        continue;
                    }
                    o.refused++;
                    String msg = e.getStatus().getDescription();
                    Capture.text(label + " init", msg);
                    String why = judge(msg, caseKeys.get(i), c, secretKeys);
                    if (why != null) {
                        o.problems.add(why + " for " + caseKeys.get(i) + " -> " + printable(msg));
                    }
                }
            }
            p.finish();
        } finally {
            p.close();
        }
        // accepted hostile values, for review (are they all harmless as data?)
        StringBuilder acc = new StringBuilder();
        for (int i = 0; i < o.acceptedConfigs.size(); i++) {
            String k = o.acceptedKeys.get(i);
            if (!k.contains(",")) {
                acc.append(printable(k)).append(" = ").append(printable(o.acceptedConfigs.get(i).get(k))).append('\n');
            }
        }
        try {
            Files.writeString(FiguresReport.file().resolveSibling("reliability-accepted-" + label + ".txt"), acc.toString());
        } catch (java.io.IOException ignored) {
            // review aid only
        }
        System.err.printf("%s corpus: %d Inits (%d refused, %d accepted, %d crashes) in %d ms%n", label, o.tried, o.refused,
                o.accepted, o.crashes, (System.nanoTime() - t0) / 1_000_000);
        return o;
    }

    /** Null when a refusal is clear and safe; else what is wrong with it. */
    String judge(String msg, String keys, Map<String, String> c, Set<String> secretKeys) {
        if (msg == null || msg.isBlank()) {
            return "empty error";
        }
        for (int i = 0; i < msg.length(); i++) {
            char ch = msg.charAt(i);
            if ((ch < 0x20 && ch != '\n') || ch == 0x7f) {
                return "raw control character in the message";
            }
        }
        boolean named = false;
        for (String k : keys.split(",")) {
            String shown = printable(k);
            named |= k.isEmpty() || msg.contains(k) || msg.contains(shown);
        }
        // a config that validates may still be refused by the server (exporter connects at Init): a clear ssh error is fine
        boolean connection = msg.startsWith("ssh") || msg.contains("authentication failed") || msg.contains("host key")
                || msg.contains("cannot connect") || msg.contains("connection");
        if (!named && !connection && !msg.contains("unknown option") && !msg.contains("required") && !msg.contains("selection")
                && !msg.contains("no guests selected")) {
            return "the message names none of the changed keys";
        }
        for (String sk : secretKeys) {
            String v = c.get(sk);
            if (v != null && v.length() >= 6 && msg.contains(v)) {
                return "secret " + sk + " shown";
            }
        }
        if (msg.contains(SECRET)) {
            return "base secret shown";
        }
        return null;
    }

    static String printable(Object o) {
        String s = String.valueOf(o);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length() && sb.length() < 300; i++) {
            char c = s.charAt(i);
            sb.append(c < 0x20 || c == 0x7f ? String.format("\\x%02x", (int) c) : String.valueOf(c));
        }
        return sb.toString();
    }

    /** Normalized like the connectors do (absolute, no empty or '.' segments, no trailing slash). */
    static String normalize(String d) {
        if (d == null || !d.startsWith("/")) {
            return null;
        }
        List<String> parts = new ArrayList<>();
        for (String s : d.split("/")) {
            if (!s.isEmpty() && !s.equals(".")) {
                parts.add(s);
            }
        }
        return "/" + String.join("/", parts);
    }

    /** Runs a bounded, key-diverse sample of accepted configs for real, in one plugin process. */
    int execute(String label, Outcome o, int max, BiConsumer<Rel.Plugin, Map<String, String>> run) {
        Map<String, Map<String, String>> pick = new LinkedHashMap<>();
        for (int i = 0; i < o.acceptedConfigs.size() && pick.size() < max; i++) {
            pick.putIfAbsent(o.acceptedKeys.get(i), o.acceptedConfigs.get(i));
        }
        int before = node.audit().size();
        try (Rel.Plugin p = new Rel.Plugin(label.startsWith("importer") ? Rel.importerExe() : Rel.exporterExe(), node.env(),
                label + " execute")) {
            for (Map<String, String> c : pick.values()) {
                String d = normalize(c.getOrDefault("dump_dir", "/var/lib/vz/dump"));
                if (d != null) {
                    dumpDirs.add(d);
                }
                try {
                    run.accept(p, c);
                } catch (StatusRuntimeException e) {
                    Capture.text(label + " execute", e.getStatus().getDescription());
                }
            }
            assertTrue(Procs.awaitNone(() -> Procs.descendants(p.pid()), java.time.Duration.ofSeconds(10)).isEmpty());
            p.finish();
        }
        return node.audit().size() - before;
    }

    void report(String connector, Outcome o, int commands, List<String> violations) {
        FiguresReport.hostile(connector, "config keys × hostile families + " + GENERATED + " generated (seed "
                + Long.toHexString(SEED) + ")", o.tried, o.refused, o.accepted, commands, violations.size());
    }

    List<String> auditViolations() {
        List<List<String>> argvs = node.auditArgv();
        return ArgvAllowList.violations(argvs.subList(auditStart, argvs.size()), dumpDirs);
    }

    Map<String, String> importerLocal() {
        return Rel.local(node, dumpDir, "vmid", "101");
    }

    Map<String, String> importerRemote() {
        return Rel.remote(sshd, dumpDir, "vmid", "101", "conn_identity_passphrase", SECRET, "ssh_retry_count", "0");
    }

    @Test
    void importerConfig() {
        List<String> keys = new ArrayList<>(List.of("location", "mode", "conn_method", "conn_username", "conn_password",
                "conn_identity_file", "conn_identity_key", "conn_identity_passphrase", "conn_port", "ssh_known_hosts",
                "ssh_host_key_fingerprint", "ssh_insecure_ignore_host_key", "ssh_retry_count", "ssh_retry_delay",
                "ssh_transport", "ssh_cipher", "node", "node_hosts", "dump_dir", "cleanup", "max_nodes_parallel",
                "backup_compression", "zstd_threads", "backup_mode", "transport", "vmid", "pool", "all", "exclude"));
        Outcome o = initCorpus("importer", Rel.importerExe(), "proxmox+backup", List.of(importerLocal(), importerRemote()), keys,
                Set.of("conn_password", "conn_identity_key", "conn_identity_passphrase"));
        int commands = execute("importer", o, 14, (p, c) -> {
            var cl = p.process.importer();
            cl.init("proxmox+backup", c);
            Snapshot s = cl.backup(BackupOptions.defaults());
            Capture.snapshot(p.label, s);
            node.updateGuest(101, g -> g.lock(null));
        });
        List<String> v = auditViolations();
        report("proxmoxImporter", o, commands, v);
        assertTrue(o.problems.isEmpty(), o.problems.size() + " unclear/unsafe refusals: " + o.problems.subList(0, Math.min(20, o.problems.size())));
        assertTrue(v.isEmpty(), "unvalidated text reached a command: " + v);
        assertTrue(o.refused > o.tried / 2, "most hostile configs must be refused: " + o.refused + "/" + o.tried);
    }

    @Test
    void exporterConfig() {
        List<String> keys = new ArrayList<>(List.of("location", "mode", "conn_method", "conn_username", "conn_password",
                "conn_identity_file", "conn_identity_key", "conn_identity_passphrase", "conn_port", "ssh_known_hosts",
                "ssh_host_key_fingerprint", "ssh_insecure_ignore_host_key", "ssh_retry_count", "ssh_retry_delay",
                "ssh_transport", "ssh_cipher", "node", "node_hosts", "dump_dir", "cleanup", "max_nodes_parallel",
                "newid", "storage", "pool", "unique", "force_vm_restore", "start_on_restore", "bwlimit", "restore_transport",
                "backup_compression", "backup_mode"));
        Map<String, String> local = Rel.local(node, dumpDir);
        Map<String, String> remote = Rel.remote(sshd, dumpDir, "node", node.localNode(), "conn_identity_passphrase", SECRET,
                "ssh_retry_count", "0");
        Outcome o = initCorpus("exporter", Rel.exporterExe(), "proxmox+backup-exporter", List.of(local, remote), keys,
                Set.of("conn_password", "conn_identity_key", "conn_identity_passphrase"), 8);
        byte[] ct = Rel.reference(node, 101, "0");
        auditStart = Math.max(auditStart, 0);
        int commands = execute("exporter", o, 10, (p, c) -> {
            node.removeGuest(101);
            var cl = p.process.exporter();
            cl.init("proxmox+backup", c);
            List<Result> r = cl.export(List.of(Rel.file("/" + Rel.dumpName("lxc", 101, "tar"), ct)));
            Capture.results(p.label, r);
            if (c.get("cleanup") != null && List.of("0", "f", "F", "false", "FALSE", "False").contains(c.get("cleanup"))) {
                // cleanup=false keeps the staged dump on purpose: remove it so the tree check sees only real leftovers
                String d = normalize(c.getOrDefault("dump_dir", "/var/lib/vz/dump"));
                Rel.files(Path.of(d)).forEach(f -> f.toFile().delete());
            }
        });
        if (node.guest(101) == null) {
            node.addGuest(io.plakar.pve.testkit.sim.Guest.lxc(101, "dns01").running().diskBytes(256L << 10));
        }
        List<String> v = auditViolations();
        report("proxmoxExporter", o, commands, v);
        assertTrue(o.problems.isEmpty(), o.problems.size() + " unclear/unsafe refusals: " + o.problems.subList(0, Math.min(20, o.problems.size())));
        assertTrue(v.isEmpty(), "unvalidated text reached a command: " + v);
    }

    @Test
    void auditConfig() {
        List<String> keys = List.of("location", "token_id", "token_secret", "fingerprint", "tls_insecure", "datastore",
                "namespace", "max_depth", "read_logs", "pve_url", "pve_token_id", "pve_token_secret", "pve_fingerprint",
                "pve_tls_insecure", "concurrency", "timeout");
        Map<String, String> base = Rel.cfg("location", "pbs+audit://127.0.0.1:9", "token_id", "audit@pbs!t",
                "token_secret", SECRET, "fingerprint", "AA:".repeat(31) + "AA");
        Map<String, String> withPve = new LinkedHashMap<>(base);
        withPve.putAll(Rel.cfg("pve_url", "https://127.0.0.1:9", "pve_token_id", "audit@pve!t", "pve_token_secret", SECRET + "-pve"));
        Capture.secret(SECRET + "-pve");
        Outcome o = initCorpus("pbs-audit", Rel.auditExe(), "pbs+audit", List.of(base, withPve), keys,
                Set.of("token_secret", "pve_token_secret"));
        FiguresReport.hostile("pbsAuditImporter", "config keys × hostile families + " + GENERATED + " generated (seed "
                + Long.toHexString(SEED) + ")", o.tried, o.refused, o.accepted, 0, 0);
        assertTrue(o.problems.isEmpty(), o.problems.size() + " unclear/unsafe refusals: " + o.problems.subList(0, Math.min(20, o.problems.size())));
    }

    /** Thousands of hostile snapshot paths in one restore, plus dumps that lie about their guest type. */
    @Test
    void snapshotPaths() {
        byte[] vma = Rel.reference(node, 100, "0");
        byte[] tar = Rel.reference(node, 101, "0");
        String vm = Rel.dumpName("qemu", 100, "vma");
        String ctName = Rel.dumpName("lxc", 101, "tar");
        List<String> special = List.of("/../" + vm, "/backup/../../" + vm, "//etc/passwd", "/etc/cron.d/" + "x",
                "/backup/qemu/101_web/" + vm, "/backup/lxc/100_web/" + vm, "/a\u0000b/" + vm, "/" + vm + "/../../etc/passwd",
                "/./" + vm, "/x\n/" + vm, "/" + "y".repeat(300) + "/" + vm, "relative/" + vm, "/\u202Eamv." + vm,
                "/" + vm + ";touch " + canary, "/$(touch " + canary + ")/" + vm, "/" + vm.replace("qemu-100", "qemu-100;x"),
                "/" + vm.replace("100", "0100"), "/" + vm.replace("100", "99999999999"), "/" + vm + ".xz");
        Random r = new Random(SEED);
        List<String> segs = new ArrayList<>(List.of("..", ".", "", "backup", "qemu", "lxc", "100_web", "101_x", "etc",
                "vzdump-qemu-100", "vzdump-lxc-x-2026_02_10-02_00_00.tar", "vzdump-qemu-100-2026_02_10-02_00_00.vma.bz3",
                "vzdump-openvz-100-2026_02_10-02_00_00.tar", "vzdump-v1-qemu-100", ctName + "_pool.conf", vm + "_qemu.conf"));
        hv.all().forEach(s -> segs.add(s.length() > 300 ? s.substring(0, 300) : s));
        List<ExportItem> items = new ArrayList<>();
        items.add(ExportItem.directory("/"));
        byte[] junk = "not a dump".getBytes();
        for (String s : special) {
            items.add(Rel.file(s, vma));
        }
        int generated = 2000;
        for (int i = 0; i < generated; i++) {
            StringBuilder p = new StringBuilder();
            int n = 1 + r.nextInt(4);
            for (int j = 0; j < n; j++) {
                p.append(r.nextInt(8) == 0 ? "" : "/").append(segs.get(r.nextInt(segs.size())));
            }
            String path = p.toString();
            if (ArgvAllowList.DUMP.matcher(path.substring(path.lastIndexOf('/') + 1)).matches()) {
                path = path + "x"; // canonical names are tested below, one restore each; keep this corpus command-free
            }
            items.add(r.nextInt(10) == 0 ? ExportItem.raw(Record.newBuilder().setPathname(path)
                    .setFileInfo(FileInfo.newBuilder().setName("x").setMode(0600).setSize(junk.length)).build(), null)
                    : Rel.file(path, junk));
        }
        // dumps whose name claims another guest type than their content
        String lyingCt = "/" + Rel.dumpName("lxc", 150, "tar");
        String lyingVm = "/" + Rel.dumpName("qemu", 151, "vma");
        items.add(Rel.file(lyingCt, vma));
        items.add(Rel.file(lyingVm, tar));
        int before = node.audit().size();
        List<Result> results;
        try (Rel.Plugin p = Rel.exporter(node.env(), "exporter hostile paths")) {
            results = Rel.export(p, Rel.local(node, dumpDir), items);
            assertTrue(Procs.awaitNone(() -> Procs.descendants(p.pid()), java.time.Duration.ofSeconds(10)).isEmpty());
            p.finish();
        }
        assertEquals(items.size(), results.size(), "one result per record");
        Map<String, String> err = new LinkedHashMap<>();
        for (Result x : results) {
            err.put(x.getHeader().getPathname(), x.getError());
        }
        int refused = (int) results.stream().filter(x -> x.getError().startsWith("refused snapshot path")).count();
        for (String s : List.of("/../" + vm, "/backup/../../" + vm, "/backup/qemu/101_web/" + vm, "/backup/lxc/100_web/" + vm,
                "/a\u0000b/" + vm, "/" + vm + "/../../etc/passwd", "/./" + vm, "/x\n/" + vm, "relative/" + vm)) {
            assertTrue(err.get(s).startsWith("refused snapshot path"), printable(s) + " -> " + err.get(s));
        }
        assertFalse(err.get(lyingCt).isEmpty(), "a VMA named as a container dump must not restore: " + err.get(lyingCt));
        assertFalse(err.get(lyingVm).isEmpty(), "a tar named as a VM dump must not restore: " + err.get(lyingVm));
        for (Map<String, Object> x : node.restores()) {
            String id = String.valueOf(x.get("vmid"));
            assertFalse((id.equals("150") || id.equals("151")) && Boolean.TRUE.equals(x.get("ok")), "lying dump restored: " + x);
        }
        assertTrue(Rel.awaitEmpty(dumpDir, java.time.Duration.ofSeconds(10)).isEmpty(), "staged files left");
        int commands = node.audit().size() - before;
        List<String> v = auditViolations();
        FiguresReport.hostile("proxmoxExporter", "snapshot paths: " + special.size() + " crafted (.., absolute, NUL, type "
                + "contradictions) + " + generated + " generated + 2 dumps lying about their type", items.size() - 1, refused,
                items.size() - 1 - refused, commands, v.size());
        assertTrue(v.isEmpty(), "unvalidated text reached a command: " + v);
    }

    /** Init must refuse; returns the message (null when the plugin accepted the value). */
    /** One plugin process per executable for these focused checks (Init errors run nothing, so it can be reused). */
    private final Map<java.nio.file.Path, Rel.Plugin> strict = new LinkedHashMap<>();

    /** Init must refuse; returns the message (null when the plugin accepted the value). */
    String refusal(java.nio.file.Path exe, String proto, Map<String, String> config) {
        Rel.Plugin p = strict.computeIfAbsent(exe, e -> new Rel.Plugin(e, node.env(), "strict " + proto));
        try {
            if (exe.equals(Rel.exporterExe())) {
                p.process.exporter().init("proxmox+backup", config);
            } else {
                p.process.importer().init(proto, config);
            }
            return null;
        } catch (StatusRuntimeException e) {
            Capture.text(p.label, e.getStatus().getDescription());
            return e.getStatus().getDescription();
        }
    }

    @org.junit.jupiter.api.AfterEach
    void closeStrict() {
        strict.values().forEach(Rel.Plugin::finish);
        strict.clear();
    }

    /** The pbs+audit location's host must be a host name or address, like proxmox+backup's. */
    @Test
    void auditLocationHostIsValidated() {
        List<String> accepted = new ArrayList<>();
        for (String host : List.of("'", "\"", "*", "$(id)", "a;b", "--help", "%s%n%x", "..", "`id`", "a|b", "\u202Eevil")) {
            Map<String, String> c = Rel.cfg("location", "pbs+audit://" + host, "token_id", "audit@pbs!t", "token_secret", SECRET);
            if (refusal(Rel.auditExe(), "pbs+audit", c) == null) {
                accepted.add(host);
            }
        }
        assertTrue(accepted.isEmpty(), "hosts accepted at Init: " + accepted);
    }

    /** ConfigReader refuses control characters in every value; keys accepted-and-ignored must not bypass that. */
    @Test
    void ignoredKeysStillRefuseControlCharacters() {
        List<String> accepted = new ArrayList<>();
        Map<String, Map<String, String>> cases = new LinkedHashMap<>();
        cases.put("exporter backup_compression", new LinkedHashMap<>(Rel.local(node, dumpDir, "backup_compression", "zstd\u0000")));
        cases.put("exporter backup_mode", new LinkedHashMap<>(Rel.local(node, dumpDir, "backup_mode", "snapshot\n--remove 1")));
        cases.put("importer conn_username (local)", new LinkedHashMap<>(Rel.local(node, dumpDir, "vmid", "101", "conn_username", "root\nx")));
        cases.put("importer conn_method (local)", new LinkedHashMap<>(Rel.local(node, dumpDir, "vmid", "101", "conn_method", "agent\u0000")));
        for (Map.Entry<String, Map<String, String>> e : cases.entrySet()) {
            boolean exporter = e.getKey().startsWith("exporter");
            if (refusal(exporter ? Rel.exporterExe() : Rel.importerExe(), "proxmox+backup", e.getValue()) == null) {
                accepted.add(e.getKey());
            }
        }
        assertTrue(accepted.isEmpty(), "control characters accepted in: " + accepted);
    }
}
