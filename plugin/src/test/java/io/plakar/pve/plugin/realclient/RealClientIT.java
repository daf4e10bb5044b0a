package io.plakar.pve.plugin.realclient;

import io.plakar.pve.plugin.packaging.PlakarBinaries;
import io.plakar.pve.testkit.pbs.FakePbs;
import io.plakar.pve.testkit.pbs.Snap;
import io.plakar.pve.testkit.sim.SimulatedCluster;
import io.plakar.pve.testkit.sim.LoopbackSshd;
import io.plakar.pve.testkit.sim.ProcResult;
import io.plakar.pve.tools.plakar.Cmd;
import io.plakar.pve.tools.plakar.PlakarHome;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The package as a user installs and runs it: {@code plakar pkg create} of the built package,
 * {@code plakar pkg add} into a private home, then the real plakar v1.x client drives the three
 * connectors against the bundled Proxmox simulator (local, and over the loopback sshd) and the
 * fake PBS. Asserts what the user sees (plakar's stdout and stderr, our stderr lines) and what
 * the node received (the simulator's records). One installed package and repository for the
 * class, to keep the suite fast.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RealClientIT {
    private static final Pattern SNAPSHOT = Pattern.compile("(?m)^([0-9a-f]{8}): backup completed");
    /** Fixed dump time: the fake vzdump's bytes depend on it, so a reference dump can be compared. */
    private static final String NOW = "1714557600";

    Path tmp;
    PlakarHome plakar;
    SimulatedCluster node;
    LoopbackSshd sshd;
    Path dumpDir;
    Path repo;
    /** The local backup of VM 100 and CT 101 made once for the class. */
    Cmd.Result localBackup;
    String snap;
    String vmSha;

    @BeforeAll
    void install() throws Exception {
        Path bin = PlakarBinaries.plakar();
        tmp = Files.createTempDirectory("realclient-");
        node = SimulatedCluster.create();
        node.putEnv("PVE_FAKE_NOW", NOW);
        dumpDir = node.newDumpDir("dump");
        plakar = new PlakarHome(bin, tmp.resolve("home"));
        node.env().forEach(plakar::env);
        Path pkg = Path.of(System.getProperty("plugin.package", "plugin/target/package"));
        Path ptar = plakar.pkgCreate(pkg, tmp.resolve("out"));
        Cmd.Result add = plakar.run("pkg", "add", ptar.toString()).ok();
        assertTrue(add.stdout().contains("OK ✓"), add.toString());
        assertTrue(Files.isExecutable(plakar.installedPackage().resolve("proxmoxImporter")));
        repo = tmp.resolve("repo");
        plakar.run("at", repo.toString(), "create", "-plaintext").ok();
        localBackup = plakar("backup", "-o", "mode=local", "-o", "vmid=100,101", "-o", "dump_dir=" + dumpDir,
                "proxmox+backup://localhost");
        snap = snapshotId(localBackup);
        // what vzdump writes for VM 100, taken before any test changes the guest
        ProcResult ref = node.run("vzdump", "100", "--stdout", "1", "--mode", "snapshot", "--compress", "0",
                "--dumpdir", dumpDir.toString());
        assertEquals(0, ref.exitCode(), ref.stderr());
        vmSha = sha(ref.stdout());
    }

    @AfterAll
    void cleanUp() throws Exception {
        if (plakar != null) {
            // a connector's first start records its class-data-sharing archive as its JVM exits
            plakar.awaitPluginExit(plakar.installedPackage());
        }
        if (sshd != null) {
            sshd.close();
        }
        if (node != null) {
            node.close();
        }
        if (tmp != null) {
            Cmd.run(List.of("rm", "-rf", tmp.toString()), Map.of("PATH", System.getenv("PATH")), Path.of("/"),
                    java.time.Duration.ofSeconds(60));
        }
    }

    @BeforeEach
    void resetNode() {
        node.clearFaults();
    }

    // ------------------------------------------------------------------ backup, ls, check, cat

    @Test
    void localBackupListsChecksAndReadsBackTheDumps() throws Exception {
        assertEquals(0, localBackup.exit(), localBackup.toString());
        assertTrue(localBackup.stdout().contains(snap + ": backup completed without errors"), localBackup.toString());
        assertTrue(localBackup.stderr().contains("backup summary: 2 of 2 guests dumped completely"), localBackup.stderr());
        assertNoJvmLine(localBackup);

        String ls = plakar("ls", snap + ":/").ok().stdoutWithoutUnpacking();
        String vm = fileNamed(ls, "vzdump-qemu-100-", ".vma");
        fileNamed(ls, "vzdump-lxc-101-", ".tar");

        Cmd.Result check = plakar("check", snap).ok();
        assertNoJvmLine(check);

        Cmd.Result cat = plakar("cat", snap + ":/" + vm).ok();
        assertEquals(vmSha, sha(cat.stdoutBytes()), "plakar cat returns the bytes vzdump wrote");
    }

    @Test
    void remoteBackupOverSsh() throws Exception {
        Cmd.Result r = plakar(remote("backup", "-o", "vmid=101"));
        assertEquals(0, r.exit(), r.toString());
        String id = snapshotId(r);
        assertTrue(r.stdout().contains(id + ": backup completed without errors"), r.toString());
        assertTrue(r.stderr().contains("backup summary: 1 of 1 guests dumped completely"), r.stderr());
        assertNoJvmLine(r);
        fileNamed(plakar("ls", id + ":/").ok().stdoutWithoutUnpacking(), "vzdump-lxc-101-", ".tar");
    }

    @Test
    void failingGuestIsAKoLineAndOurSummaryButExitZero() {
        node.fault("vzdump", 100, "fail_after_bytes", "bytes", 1 << 20, "message", "disk read error at sector 42");
        Cmd.Result r = plakar("backup", "-o", "mode=local", "-o", "vmid=100,101", "-o", "dump_dir=" + dumpDir,
                "proxmox+backup://localhost");
        // plakar v1.1.4 exits 0 when files failed: the KO line and our summary are what the user sees
        assertEquals(0, r.exit(), r.toString());
        String out = r.stdout() + r.stderr();
        assertTrue(Pattern.compile("KO .*vzdump-qemu-100-").matcher(out).find(), out);
        assertTrue(r.stderr().contains("disk read error at sector 42"), r.stderr());
        assertTrue(r.stderr().contains("backup summary: 1 of 2 guests dumped completely"), r.stderr());
        assertTrue(r.stderr().contains("NOT backed up: VM 100"), r.stderr());
    }

    // ------------------------------------------------------------------ restore

    @Test
    void restoreOverAnExistingGuestIsRefusedNamingTheWaysOutAndLeavesItUntouched() {
        node.updateGuest(100, g -> g.running());
        int restoresBefore = node.restores().size();
        Cmd.Result r = restore(vmDump(), "-o", "mode=local", "-o", "dump_dir=" + dumpDir);
        String out = r.stdout() + r.stderr();
        assertTrue(out.contains("VM 100 already exists (running)"), out);
        assertTrue(out.contains("newid=") && out.contains("force_vm_restore=true"), out);
        assertEquals(restoresBefore, node.restores().size(), "nothing restored");
        assertTrue(node.auditArgv("qm").stream().noneMatch(a -> a.size() > 1 && a.get(1).equals("stop")), "VM not stopped");
        assertEquals("running", node.guest(100).status);
        assertNoJvmLine(r);
    }

    @Test
    void forcedRestoreOverwritesTheExistingGuest() {
        node.updateGuest(100, g -> g.stopped());
        Cmd.Result r = restore(vmDump(), "-o", "mode=local", "-o", "dump_dir=" + dumpDir, "-o", "force_vm_restore=true");
        assertEquals(0, r.exit(), r.toString());
        Map<String, Object> last = lastRestore(100);
        assertEquals(Boolean.TRUE, last.get("ok"), last.toString());
        assertTrue(lastArgv("qmrestore").containsAll(List.of("--force", "1")), lastArgv("qmrestore").toString());
    }

    @Test
    void restoreUnderANewIdWithoutForce() {
        Cmd.Result r = restore(vmDump(), "-o", "mode=local", "-o", "dump_dir=" + dumpDir, "-o", "newid=301");
        assertEquals(0, r.exit(), r.toString());
        assertEquals(Boolean.TRUE, lastRestore(301).get("ok"), node.restores().toString());
        assertFalse(lastArgv("qmrestore").contains("--force"),
                "no --force without force_vm_restore=true: " + lastArgv("qmrestore"));
    }

    @Test
    void streamedRestoreFeedsQmrestoreFromStdin() {
        Cmd.Result r = restore(vmDump(), "-o", "mode=local", "-o", "dump_dir=" + dumpDir, "-o", "newid=302",
                "-o", "restore_transport=stream");
        assertEquals(0, r.exit(), r.toString());
        Map<String, Object> last = lastRestore(302);
        assertEquals(Boolean.TRUE, last.get("ok"), last.toString());
        assertEquals("-", last.get("archive"), "streamed into qmrestore -: " + last);
    }

    @Test
    void wholeSnapshotRestoreOnAFreshNode() throws Exception {
        try (SimulatedCluster fresh = SimulatedCluster.create()) {
            fresh.removeGuest(100).removeGuest(101);
            Path freshDump = fresh.newDumpDir("dump");
            Map<String, String> env = new java.util.HashMap<>(plakar.environment());
            env.putAll(fresh.env());
            // node=: the simulated node is not the machine's hostname (on Proxmox it is)
            Cmd.Result r = Cmd.run(argv("at", repo.toString(), "restore", "-o", "mode=local", "-o", "node=" + fresh.localNode(),
                    "-o", "dump_dir=" + freshDump,
                    "-to", "proxmox+backup://localhost", snap), env, tmp, java.time.Duration.ofSeconds(120));
            assertEquals(0, r.exit(), r.toString());
            assertNoJvmLine(r);
            List<Object> vmids = fresh.restores().stream().filter(m -> Boolean.TRUE.equals(m.get("ok")))
                    .map(m -> m.get("vmid")).map(String::valueOf).sorted().collect(Collectors.toList());
            assertEquals(List.of("100", "101"), vmids, fresh.restores() + "\n" + r);
            assertTrue(fresh.auditArgv("qmrestore").stream().noneMatch(a -> a.contains("--force")),
                    "no --force without force_vm_restore=true: " + fresh.auditArgv("qmrestore"));
        }
    }

    // ------------------------------------------------------------------ PBS audit

    @Test
    void auditBackupAndItsReport() throws Exception {
        long base = 1714557600L;
        try (FakePbs pbs = new FakePbs("audit@pbs!it", "it-secret")) {
            pbs.store("store1")
                    .add("", Snap.ct("200", base - 3600, 1000).node("pve1"))
                    .add("", Snap.ct("200", base, 1000).node("pve2"))
                    .add("lab", Snap.vm("100", base, 2000));
            pbs.start();
            Cmd.Result r = plakar("backup", "-o", "token_id=audit@pbs!it", "-o", "token_secret=it-secret",
                    "-o", "fingerprint=" + pbs.fingerprint(), "pbs+audit://127.0.0.1:" + pbs.port());
            assertEquals(0, r.exit(), r.toString());
            String id = snapshotId(r);
            assertTrue(r.stdout().contains(id + ": backup completed without errors"), r.toString());
            assertNoJvmLine(r);
            String report = plakar("cat", id + ":/report/report.txt").ok().stdoutWithoutUnpacking();
            assertTrue(report.contains("200"), report);
            assertTrue(report.toLowerCase().contains("critical"), "the ct/200 collision between pve1 and pve2:\n" + report);
            assertTrue(report.contains("lab"), report);
        }
    }

    // ------------------------------------------------------------------ helpers

    private Cmd.Result plakar(String... args) {
        List<String> a = new ArrayList<>(List.of("at", repo.toString()));
        a.addAll(List.of(args));
        return plakar.run(a);
    }

    private Cmd.Result restore(String path, String... options) {
        List<String> a = new ArrayList<>(List.of("restore"));
        a.addAll(List.of(options));
        a.addAll(List.of("-to", "proxmox+backup://localhost", snap + ":/" + path));
        return plakar(a.toArray(String[]::new));
    }

    private List<String> argv(String... args) {
        List<String> a = new ArrayList<>();
        a.add(plakar.plakar().toString());
        a.addAll(List.of(args));
        return a;
    }

    private String[] remote(String command, String... more) throws Exception {
        if (sshd == null) {
            sshd = LoopbackSshd.start(node);
        }
        List<String> a = new ArrayList<>(List.of(command, "-o", "mode=remote", "-o", "conn_method=identity",
                "-o", "conn_username=" + sshd.username(), "-o", "conn_identity_file=" + sshd.identityFile(),
                "-o", "conn_port=" + sshd.port(), "-o", "ssh_known_hosts=" + sshd.knownHostsFile(),
                "-o", "dump_dir=" + dumpDir));
        a.addAll(List.of(more));
        a.add("proxmox+backup://127.0.0.1");
        return a.toArray(String[]::new);
    }

    private String vmDump() {
        return fileNamed(plakar("ls", snap + ":/").ok().stdoutWithoutUnpacking(), "vzdump-qemu-100-", ".vma");
    }

    private Map<String, Object> lastRestore(int vmid) {
        List<Map<String, Object>> mine = node.restores().stream()
                .filter(m -> String.valueOf(m.get("vmid")).equals(Integer.toString(vmid))).collect(Collectors.toList());
        assertFalse(mine.isEmpty(), "no restore of " + vmid + " reached the node: " + node.restores());
        return mine.get(mine.size() - 1);
    }

    private List<String> lastArgv(String tool) {
        List<List<String>> all = node.auditArgv(tool);
        assertFalse(all.isEmpty(), tool + " never ran");
        return all.get(all.size() - 1);
    }

    private static String snapshotId(Cmd.Result r) {
        Matcher m = SNAPSHOT.matcher(r.stdout());
        assertTrue(m.find(), "no snapshot id in plakar's output:\n" + r);
        return m.group(1);
    }

    /** The name of the one listed file starting with prefix and containing ext (plakar ls prints one per line, name last). */
    private static String fileNamed(String ls, String prefix, String ext) {
        List<String> names = new ArrayList<>();
        for (String line : ls.split("\n")) {
            String[] cols = line.trim().split("\\s+");
            String name = cols[cols.length - 1].replaceFirst("^/", "");
            if (name.startsWith(prefix) && name.contains(ext)) {
                names.add(name);
            }
        }
        assertEquals(1, names.size(), "one " + prefix + "…" + ext + " in:\n" + ls);
        return names.get(0);
    }

    /** Nothing from the JVM itself may reach the user's terminal (class-data sharing, VM warnings). */
    private static void assertNoJvmLine(Cmd.Result r) {
        String all = r.stdout() + r.stderr();
        for (String jvm : List.of("[warning]", "[error]", "[cds", "VM warning", "OpenJDK", "Picked up")) {
            assertFalse(all.contains(jvm), "a JVM line reached the terminal (" + jvm + "):\n" + r);
        }
    }

    private static String sha(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }
}
