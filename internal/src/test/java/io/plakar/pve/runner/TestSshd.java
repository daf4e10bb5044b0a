package io.plakar.pve.runner;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away OpenSSH server on 127.0.0.1 for tests and the benchmark: {@code sshd -D -e -f
 * <tmp config>} with its own ed25519 host key, {@code AuthorizedKeysFile} in the temp dir and
 * a client key pair. Logs in as {@value #USER} (created with useradd + chpasswd when running
 * as root and missing). Not the testkit's LoopbackSshd: internal cannot depend on testkit.
 */
public final class TestSshd implements AutoCloseable {
    public static final String USER = "plakartest";
    public static final String PASSWORD = "plakar-test-pw";
    public static final Path SSHD = Path.of("/usr/sbin/sshd");

    public final Path dir;
    public final int port;
    public final Path hostKeyPub;
    public final Path clientKey;
    public final Path knownHosts;
    public final String hostFingerprint;
    private final Process process;

    public static boolean available() {
        return Files.isExecutable(SSHD);
    }

    public TestSshd() throws IOException, InterruptedException {
        ensureUser();
        dir = Files.createTempDirectory("plakar-sshd");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path hostKey = dir.resolve("host_ed25519");
        exec(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", hostKey.toString()));
        hostKeyPub = dir.resolve("host_ed25519.pub");
        clientKey = dir.resolve("client_ed25519");
        exec(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", clientKey.toString()));
        Path auth = dir.resolve("authorized_keys");
        Files.copy(dir.resolve("client_ed25519.pub"), auth);
        Files.setPosixFilePermissions(auth, PosixFilePermissions.fromString("rw-r--r--"));
        port = freePort();
        Path config = dir.resolve("sshd_config");
        Files.writeString(config, String.join("\n",
                "Port " + port,
                "ListenAddress 127.0.0.1",
                "HostKey " + hostKey,
                "PidFile none",
                "AuthorizedKeysFile " + auth,
                "StrictModes no",
                "PasswordAuthentication yes",
                "KbdInteractiveAuthentication no",
                "PubkeyAuthentication yes",
                "UsePAM no",
                "PermitRootLogin no",
                "AllowUsers " + USER,
                "MaxSessions 20",
                "MaxStartups 50",
                "LogLevel ERROR",
                "Ciphers aes128-gcm@openssh.com,aes256-gcm@openssh.com,chacha20-poly1305@openssh.com,aes128-ctr,aes192-ctr,aes256-ctr",
                "") + "\n");
        Files.createDirectories(Path.of("/run/sshd"));
        ProcessBuilder pb = new ProcessBuilder(SSHD.toString(), "-D", "-e", "-f", config.toString());
        pb.redirectErrorStream(true);
        pb.redirectOutput(dir.resolve("sshd.log").toFile());
        process = pb.start();
        hostFingerprint = fingerprintOf(Files.readString(hostKeyPub));
        knownHosts = dir.resolve("known_hosts");
        Files.writeString(knownHosts, "[127.0.0.1]:" + port + " " + Files.readString(hostKeyPub).trim() + "\n");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                break;
            } catch (IOException e) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    throw new IOException("sshd did not start: " + Files.readString(dir.resolve("sshd.log")));
                }
                Thread.sleep(50);
            }
        }
    }

    public Process process() {
        return process;
    }

    /** Settings for key login with the known_hosts written for this server. */
    public SshSettings.Builder keySettings() {
        return SshSettings.builder("127.0.0.1", USER).port(port).identityFile(clientKey)
                .hostKeyPolicy(HostKeyPolicy.knownHosts(knownHosts)).retries(0, Duration.ofMillis(100));
    }

    public String sshdLog() throws IOException {
        return Files.readString(dir.resolve("sshd.log"));
    }

    static String fingerprintOf(String pubLine) {
        String b64 = pubLine.trim().split("\\s+")[1];
        return HostKeyPolicy.sha256Fingerprint(java.util.Base64.getDecoder().decode(b64));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static void ensureUser() throws IOException, InterruptedException {
        Process id = new ProcessBuilder("id", "-u", USER).redirectErrorStream(true).start();
        id.getInputStream().readAllBytes();
        if (id.waitFor() == 0) {
            return;
        }
        if (!"root".equals(System.getProperty("user.name"))) {
            throw new IOException("test user " + USER + " is missing and we are not root");
        }
        exec(List.of("useradd", "-m", "-s", "/bin/sh", USER));
        Process p = new ProcessBuilder("chpasswd").redirectErrorStream(true).start();
        p.getOutputStream().write((USER + ":" + PASSWORD + "\n").getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException("chpasswd failed: " + out);
        }
    }

    static String exec(List<String> argv) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException(argv + " failed: " + out);
        }
        return out;
    }

    /** Local pids whose command line contains {@code marker} (the sshd is on this machine). */
    public static List<Long> pidsWith(String marker) {
        List<Long> out = new ArrayList<>();
        ProcessHandle.allProcesses().forEach(ph -> ph.info().commandLine().ifPresent(cl -> {
            if (cl.contains(marker)) {
                out.add(ph.pid());
            }
        }));
        return out;
    }

    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process.destroyForcibly();
        try (var s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // temp dir
        }
    }
}
