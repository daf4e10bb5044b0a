package io.plakar.pve.testkit.sim;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real OpenSSH sshd on 127.0.0.1:&lt;free port&gt; whose sessions run the simulator's fake Proxmox
 * tools for one node of a {@link SimulatedCluster} state (via {@code simulator/sshd/start-sshd.sh}).
 *
 * <p>Clusters: every address of 127.0.0.0/8 is loopback on Linux, so {@link #start(SimulatedCluster, String,
 * String, int)} can run node pve1 on 127.0.0.1:P and pve2 on 127.0.0.2:P — the same port, as a real
 * cluster's nodes share {@code conn_port}. {@link #trustClientKeysOf} makes one set of credentials
 * work on every node and {@link #writeKnownHosts} writes one known_hosts file for all of them.
 *
 * <p>As root, logins use the unprivileged user {@value #DEFAULT_USER} (created on demand with password
 * {@value #DEFAULT_PASSWORD}); otherwise the current user with public-key auth only ({@link #password()} is null).
 */
public final class LoopbackSshd implements AutoCloseable {
    public static final String DEFAULT_USER = "plakartest";
    public static final String DEFAULT_PASSWORD = "plakar-test-pw";
    public static final String KEY_PASSPHRASE = "plakar-key-pass";
    /** Listen address of the single-node starters. */
    public static final String DEFAULT_ADDRESS = "127.0.0.1";

    private final SimulatedCluster fakeNode;
    private final String nodeName;
    private final String listenAddress;
    private final Path workDir;
    private final String user;
    private final String password;
    private final Path identity;
    private final Path encryptedIdentity;
    private final Path knownHosts;
    private final String hostPublicKey;
    private final String hostFingerprint;
    private Process process;
    private int port;

    private LoopbackSshd(SimulatedCluster fakeNode, String nodeName, String listenAddress, Path workDir, String user,
                         String password, Path identity, Path encryptedIdentity) throws IOException {
        this.fakeNode = fakeNode;
        this.nodeName = nodeName;
        this.listenAddress = listenAddress;
        this.workDir = workDir;
        this.user = user;
        this.password = password;
        this.identity = identity;
        this.encryptedIdentity = encryptedIdentity;
        this.knownHosts = workDir.resolve("known_hosts");
        Path srv = workDir.resolve("srv");
        Files.createDirectories(srv);
        SimulatedCluster.setPerms(srv, "rwxr-xr-x");
        Path hostKey = srv.resolve("ssh_host_ed25519_key");
        run(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "pve-sim-" + nodeName, "-f", hostKey.toString()));
        this.hostPublicKey = Files.readString(srv.resolve("ssh_host_ed25519_key.pub")).trim();
        String lf = run(List.of("ssh-keygen", "-l", "-E", "sha256", "-f", srv.resolve("ssh_host_ed25519_key.pub").toString()));
        this.hostFingerprint = lf.trim().split("\\s+")[1];
        String authorized = Files.readString(Path.of(identity + ".pub")).trim() + "\n"
                + Files.readString(Path.of(encryptedIdentity + ".pub")).trim() + "\n";
        Files.writeString(srv.resolve("authorized_keys"), authorized);
        SimulatedCluster.setPerms(srv.resolve("authorized_keys"), "rw-r--r--");
    }

    /** Starts an sshd for the fake cluster's local node. */
    public static LoopbackSshd start(SimulatedCluster node) throws IOException {
        return start(node, node.localNode());
    }

    /** Starts an sshd whose sessions run "on" {@code nodeName} (PVE_FAKE_NODE). */
    public static LoopbackSshd start(SimulatedCluster node, String nodeName) throws IOException {
        return start(node, nodeName, DEFAULT_ADDRESS, 0);
    }

    /**
     * Starts an sshd on {@code listenAddress:port} (a 127.x.y.z address; port 0 picks a free one)
     * whose sessions run "on" {@code nodeName}. A fixed port is tried once: the caller chose it.
     */
    public static LoopbackSshd start(SimulatedCluster node, String nodeName, String listenAddress, int port) throws IOException {
        InetAddress a = InetAddress.getByName(listenAddress);
        if (!(a instanceof Inet4Address) || !a.isLoopbackAddress()) {
            throw new IllegalArgumentException("listen address must be an IPv4 loopback address (127.x.y.z): " + listenAddress);
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("bad port " + port);
        }
        boolean root = isRoot();
        String user = root ? DEFAULT_USER : System.getProperty("user.name");
        String password = root ? DEFAULT_PASSWORD : null;
        if (root) {
            ensureTestUser(user, password);
        }
        Path work = Files.createTempDirectory(node.tempRoot(), "sshd-" + nodeName + "-");
        SimulatedCluster.setPerms(work, "rwxr-xr-x");
        Path id = work.resolve("id_ed25519");
        run(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "plakar-test", "-f", id.toString()));
        Path encId = work.resolve("id_ed25519_enc");
        run(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", KEY_PASSPHRASE, "-C", "plakar-test-enc", "-f", encId.toString()));
        LoopbackSshd s = new LoopbackSshd(node, nodeName, a.getHostAddress(), work, user, password, id, encId);
        s.launch(port);
        return s;
    }

    private void launch(int fixedPort) throws IOException {
        IOException last = null;
        int attempts = fixedPort == 0 ? 5 : 1;
        for (int attempt = 0; attempt < attempts; attempt++) {
            port = fixedPort == 0 ? freePort(listenAddress) : fixedPort;
            Path script = SimulatedCluster.repoRoot().resolve("simulator").resolve("sshd").resolve("start-sshd.sh");
            ProcessBuilder pb = new ProcessBuilder(script.toString(), workDir.resolve("srv").toString(),
                    Integer.toString(port), fakeNode.stateDir().toString(), nodeName, user, listenAddress);
            pb.redirectErrorStream(true);
            pb.redirectOutput(workDir.resolve("sshd.log").toFile());
            process = pb.start();
            if (waitForPort(port, 10_000)) {
                Files.writeString(knownHosts, knownHostsLine() + "\n");
                return;
            }
            stop();
            last = new IOException("sshd did not start on port " + port + ": " + readLog());
        }
        throw last;
    }

    private boolean waitForPort(int p, long millis) {
        long deadline = System.currentTimeMillis() + millis;
        while (System.currentTimeMillis() < deadline) {
            if (!process.isAlive()) {
                return false;
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(listenAddress, p), 200);
                return true;
            } catch (IOException e) {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
        return false;
    }

    // ------------------------------------------------------------------ accessors

    /** The listen address ({@code 127.0.0.1} unless started on another loopback address). */
    public String host() {
        return listenAddress;
    }

    public int port() {
        return port;
    }

    public String username() {
        return user;
    }

    /** Password of the test user, or null when not running as root (pubkey only). */
    public String password() {
        return password;
    }

    /** Unencrypted OpenSSH ed25519 private key accepted by this sshd. */
    public Path identityFile() {
        return identity;
    }

    /** Passphrase-protected ({@link #identityPassphrase()}) ed25519 private key accepted by this sshd. */
    public Path encryptedIdentityFile() {
        return encryptedIdentity;
    }

    public String identityPassphrase() {
        return KEY_PASSPHRASE;
    }

    /** known_hosts file containing {@code [<address>]:<port> ssh-ed25519 AAAA...}. */
    public Path knownHostsFile() {
        return knownHosts;
    }

    /** This server's known_hosts entry: {@code [<address>]:<port> ssh-ed25519 AAAA... comment}. */
    public String knownHostsLine() {
        return "[" + listenAddress + "]:" + port + " " + hostPublicKey;
    }

    /** Writes one known_hosts file holding the entries of every given server (one cluster, one file). */
    public static Path writeKnownHosts(Path file, LoopbackSshd... servers) throws IOException {
        return writeKnownHosts(file, List.of(servers));
    }

    /** Writes one known_hosts file holding the entries of every given server (one cluster, one file). */
    public static Path writeKnownHosts(Path file, List<LoopbackSshd> servers) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (LoopbackSshd s : servers) {
            sb.append(s.knownHostsLine()).append('\n');
        }
        Files.writeString(file, sb.toString(), StandardCharsets.UTF_8);
        return file;
    }

    /**
     * Lets the client keys of {@code other} ({@link #identityFile()}, {@link #encryptedIdentityFile()})
     * log in here too, so one {@code conn_identity_file} reaches every node of a cluster (as a real
     * cluster's shared authorized_keys does). sshd reads authorized_keys per login: no restart.
     */
    public LoopbackSshd trustClientKeysOf(LoopbackSshd other) throws IOException {
        Path authorized = workDir.resolve("srv").resolve("authorized_keys");
        String extra = Files.readString(Path.of(other.identity + ".pub")).trim() + "\n"
                + Files.readString(Path.of(other.encryptedIdentity + ".pub")).trim() + "\n";
        Files.writeString(authorized, extra, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        return this;
    }

    /** {@code ssh-ed25519 AAAA... comment} of the host key. */
    public String hostPublicKey() {
        return hostPublicKey;
    }

    /** Host key fingerprint as {@code ssh-keygen -lf} prints it: {@code SHA256:...}. */
    public String hostKeyFingerprint() {
        return hostFingerprint;
    }

    public String nodeName() {
        return nodeName;
    }

    public SimulatedCluster fakeNode() {
        return fakeNode;
    }

    public Path workDir() {
        return workDir;
    }

    public long pid() {
        return process == null ? -1 : process.pid();
    }

    // ------------------------------------------------------------------ system ssh client helpers

    /** argv for the system {@code ssh} client running {@code remoteCommand} (pubkey auth, strict host key checking). */
    public List<String> sshCommand(String remoteCommand) {
        List<String> l = new ArrayList<>(List.of("ssh", "-o", "UserKnownHostsFile=" + knownHosts,
                "-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes",
                "-o", "LogLevel=ERROR", "-i", identity.toString(), "-p", Integer.toString(port),
                user + "@" + listenAddress));
        l.add(remoteCommand);
        return l;
    }

    /** Runs {@code remoteCommand} over ssh with the system client and waits. */
    public ProcResult ssh(String remoteCommand) throws IOException {
        return SimulatedCluster.exec(sshCommand(remoteCommand), Map.of(), null, 300);
    }

    // ------------------------------------------------------------------ lifecycle

    /** Kills every session (per-connection sshd children and the commands they run); the listener keeps running. */
    public void dropConnections() {
        if (process == null) {
            return;
        }
        List<ProcessHandle> kids = new ArrayList<>();
        process.toHandle().descendants().forEach(kids::add);
        for (ProcessHandle h : kids) {
            h.destroyForcibly();
        }
        for (ProcessHandle h : kids) {
            try {
                h.onExit().get(5, TimeUnit.SECONDS);
            } catch (Exception ignored) {
                // best effort
            }
        }
    }

    /** Stops sshd and all its session children. */
    public void stop() {
        if (process == null) {
            return;
        }
        dropConnections();
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    @Override
    public void close() {
        stop();
    }

    public String readLog() {
        try {
            return Files.readString(workDir.resolve("sshd.log"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    // ------------------------------------------------------------------ helpers

    public static boolean isRoot() {
        try {
            Process p = new ProcessBuilder("id", "-u").start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            p.waitFor();
            return "0".equals(out);
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Creates the unprivileged test user (root only) if missing and (re)sets its password. */
    public static synchronized void ensureTestUser(String user, String password) throws IOException {
        if (!userExists(user)) {
            ProcResult r = SimulatedCluster.exec(List.of("useradd", "-m", "-s", "/bin/sh", user), Map.of(), null, 60);
            if (r.exitCode() != 0 && !userExists(user)) {
                throw new IOException("useradd " + user + " failed: " + r.stderr());
            }
        }
        ProcResult r = SimulatedCluster.exec(List.of("chpasswd"), Map.of(),
                (user + ":" + password + "\n").getBytes(StandardCharsets.UTF_8), 60);
        if (r.exitCode() != 0) {
            throw new IOException("chpasswd failed: " + r.stderr());
        }
    }

    private static boolean userExists(String user) throws IOException {
        return SimulatedCluster.exec(List.of("id", "-u", user), Map.of(), null, 30).exitCode() == 0;
    }

    private static int freePort(String address) throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(address))) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }

    private static String run(List<String> cmd) throws IOException {
        ProcResult r = SimulatedCluster.exec(cmd, Map.of(), null, 60);
        if (r.exitCode() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + r.stderr());
        }
        return r.stdoutText();
    }

    @Override
    public String toString() {
        return "LoopbackSshd[" + user + "@" + listenAddress + ":" + port + " node=" + nodeName + " dir=" + workDir + File.separator + "]";
    }
}
