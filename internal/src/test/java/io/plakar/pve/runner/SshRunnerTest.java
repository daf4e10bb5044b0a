package io.plakar.pve.runner;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SshRunnerTest {
    private static TestSshd sshd;

    @BeforeAll
    static void startSshd() throws Exception {
        Assumptions.assumeTrue(TestSshd.available(), "/usr/sbin/sshd is not installed");
        sshd = new TestSshd();
    }

    @AfterAll
    static void stopSshd() {
        if (sshd != null) {
            sshd.close();
        }
    }

    private static SshSettings.Builder key() {
        return sshd.keySettings();
    }

    @Test
    void keyAuthRunsCommandsAndPropagatesExitStatus() throws Exception {
        try (SshRunner r = SshRunner.connect(key().build())) {
            CommandResult ok = r.run(List.of("printf", "%s|", "a b", "it's", "$HOME", ""), Duration.ofSeconds(20));
            assertEquals(0, ok.exitStatus());
            assertEquals("a b|it's|$HOME||", ok.stdout());
            CommandResult fail = r.run(List.of("sh", "-c", "echo oops >&2; exit 42"), Duration.ofSeconds(20));
            assertEquals(42, fail.exitStatus());
            assertEquals("oops", fail.lastErrorLine());
            assertTrue(r.describe().contains(TestSshd.USER + "@127.0.0.1:" + sshd.port));
        }
    }

    @Test
    void passwordAuth() throws Exception {
        SshSettings s = key().password(TestSshd.PASSWORD).build();
        try (SshRunner r = SshRunner.connect(s)) {
            assertEquals(TestSshd.USER, r.run(List.of("id", "-un"), Duration.ofSeconds(20)).stdout().trim());
        }
        assertFalse(s.toString().contains(TestSshd.PASSWORD));
    }

    @Test
    void wrongPasswordIsPermissionDeniedWithoutRetryOrSecret() {
        SshSettings s = key().password("not-the-password-xyz").retries(3, Duration.ofSeconds(5)).build();
        long t0 = System.nanoTime();
        RunnerException e = assertThrows(RunnerException.class, () -> SshRunner.connect(s));
        assertEquals(RunnerException.Reason.AUTH_REFUSED, e.reason());
        assertFalse(e.getMessage().contains("not-the-password-xyz"));
        assertTrue(System.nanoTime() - t0 < 5_000_000_000L, "auth failures must not be retried");
    }

    @Test
    void identityKeyTextAuth() throws Exception {
        String text = Files.readString(sshd.clientKey);
        try (SshRunner r = SshRunner.connect(key().identityKey(text).build())) {
            assertEquals(0, r.run(List.of("true"), Duration.ofSeconds(20)).exitStatus());
        }
    }

    @Test
    void pinnedFingerprintAccepted() throws Exception {
        SshSettings s = key().hostKeyPolicy(HostKeyPolicy.pinned(sshd.hostFingerprint)).build();
        try (SshRunner r = SshRunner.connect(s)) {
            assertEquals(0, r.run(List.of("true"), Duration.ofSeconds(20)).exitStatus());
        }
    }

    @Test
    void pinnedFingerprintMismatchRefused() {
        String wrong = "SHA256:" + "A".repeat(42) + "E";
        SshSettings s = key().hostKeyPolicy(HostKeyPolicy.pinned(wrong)).retries(3, Duration.ofSeconds(5)).build();
        RunnerException e = assertThrows(RunnerException.class, () -> SshRunner.connect(s));
        assertTrue(e.getMessage().contains("man-in-the-middle"), e.getMessage());
        assertTrue(e.getMessage().contains(sshd.hostFingerprint), e.getMessage());
    }

    @Test
    void unknownHostRefusedWithFix() throws Exception {
        Path empty = Files.createTempFile(sshd.dir, "kh", "");
        SshSettings s = key().hostKeyPolicy(HostKeyPolicy.knownHosts(empty)).build();
        RunnerException e = assertThrows(RunnerException.class, () -> SshRunner.connect(s));
        assertTrue(e.getMessage().contains("ssh-keyscan -p " + sshd.port + " 127.0.0.1"), e.getMessage());
        assertTrue(e.getMessage().contains("ssh_host_key_fingerprint=" + sshd.hostFingerprint), e.getMessage());
        // a missing file is the same: unknown host
        SshSettings s2 = key().hostKeyPolicy(HostKeyPolicy.knownHosts(sshd.dir.resolve("nope"))).build();
        assertTrue(assertThrows(RunnerException.class, () -> SshRunner.connect(s2)).getMessage().contains("unknown"));
    }

    @Test
    void knownHostsMismatchRefused() throws Exception {
        Path other = sshd.dir.resolve("other_key");
        TestSshd.exec(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", other.toString()));
        Path kh = sshd.dir.resolve("kh_mismatch");
        Files.writeString(kh, "[127.0.0.1]:" + sshd.port + " " + Files.readString(Path.of(other + ".pub")).trim() + "\n");
        SshSettings s = key().hostKeyPolicy(HostKeyPolicy.knownHosts(kh)).build();
        RunnerException e = assertThrows(RunnerException.class, () -> SshRunner.connect(s));
        assertTrue(e.getMessage().contains("MISMATCH") && e.getMessage().contains("man-in-the-middle"), e.getMessage());
    }

    @Test
    void hashedKnownHostsAccepted() throws Exception {
        Path kh = sshd.dir.resolve("kh_hashed");
        Files.copy(sshd.knownHosts, kh);
        TestSshd.exec(List.of("ssh-keygen", "-q", "-H", "-f", kh.toString()));
        assertTrue(Files.readString(kh).startsWith("|1|"));
        try (SshRunner r = SshRunner.connect(key().hostKeyPolicy(HostKeyPolicy.knownHosts(kh)).build())) {
            assertEquals(0, r.run(List.of("true"), Duration.ofSeconds(20)).exitStatus());
        }
    }

    @Test
    void insecureOptOutWorksAndWarns() throws Exception {
        PrintStream old = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try (SshRunner r = SshRunner.connect(key().hostKeyPolicy(HostKeyPolicy.insecure()).build())) {
            assertEquals(0, r.run(List.of("true"), Duration.ofSeconds(20)).exitStatus());
        } finally {
            System.setErr(old);
        }
        String err = captured.toString(StandardCharsets.UTF_8);
        assertTrue(err.contains("WARNING") && err.contains("NOT verified"), err);
    }

    @Test
    void connectFailureIsRetriedThenUnavailable() throws Exception {
        int dead;
        try (ServerSocket s = new ServerSocket(0)) {
            dead = s.getLocalPort();
        }
        SshSettings s = key().port(dead).retries(2, Duration.ofMillis(200)).build();
        long t0 = System.nanoTime();
        RunnerException e = assertThrows(RunnerException.class, () -> SshRunner.connect(s));
        assertEquals(RunnerException.Reason.UNREACHABLE, e.reason());
        assertTrue(e.getMessage().contains("3 attempts"), e.getMessage());
        assertTrue(System.nanoTime() - t0 >= 400_000_000L);
    }

    @Test
    void streams256MiBWithExactByteCount() throws Exception {
        long n = 256L << 20;
        try (SshRunner r = SshRunner.connect(key().build());
             RunningCommand c = r.start(List.of("head", "-c", Long.toString(n), "/dev/zero"), Runner.LineListener.IGNORE)) {
            c.stdin().close();
            long total = 0;
            byte[] buf = new byte[1 << 20];
            InputStream in = c.stdout();
            int k;
            while ((k = in.read(buf)) > 0) {
                total += k;
            }
            assertEquals(n, total);
            assertEquals(0, c.waitFor(Duration.ofSeconds(60)));
        }
    }

    @Test
    void stdinIsDeliveredAndStderrRelayed() throws Exception {
        List<String> lines = new CopyOnWriteArrayList<>();
        try (SshRunner r = SshRunner.connect(key().build());
             RunningCommand c = r.start(List.of("sh", "-c", "echo progress >&2; wc -c"), lines::add)) {
            byte[] data = new byte[3_000_000];
            c.stdin().write(data);
            c.stdin().close();
            String out = new String(c.stdout().readAllBytes(), StandardCharsets.UTF_8).trim();
            assertEquals("3000000", out);
            assertEquals(0, c.waitFor(Duration.ofSeconds(30)));
            assertEquals(List.of("progress"), lines);
        }
    }

    @Test
    void killStopsRemoteSleep() throws Exception {
        String marker = "1000." + Math.abs(UUID.randomUUID().getMostSignificantBits() % 1_000_000);
        try (SshRunner r = SshRunner.connect(key().build())) {
            RunningCommand c = r.start(List.of("sleep", marker), Runner.LineListener.IGNORE);
            waitUntil(() -> !TestSshd.pidsWith("sleep " + marker).isEmpty(), "remote sleep started");
            c.kill();
            assertEquals(-1, c.waitFor(Duration.ofSeconds(10)));
            waitUntil(() -> TestSshd.pidsWith("sleep " + marker).isEmpty(), "remote sleep gone after kill()");
            c.close();
            // the connection is still usable
            assertEquals(0, r.run(List.of("true"), Duration.ofSeconds(20)).exitStatus());
        }
    }

    @Test
    void droppedConnectionGivesMinusOneAndReadFails() throws Exception {
        try (CutProxy proxy = new CutProxy(sshd.port);
             SshRunner r = SshRunner.connect(key().port(proxy.port())
                     .hostKeyPolicy(HostKeyPolicy.pinned(sshd.hostFingerprint)).build())) {
            RunningCommand c = r.start(List.of("sh", "-c", "echo first; exec sleep 30"), Runner.LineListener.IGNORE);
            InputStream in = c.stdout();
            byte[] first = new byte[6];
            assertEquals(6, in.readNBytes(first, 0, 6));
            proxy.cut();
            assertThrows(IOException.class, () -> {
                byte[] b = new byte[100];
                while (in.read(b) >= 0) {
                    // drain until the drop is noticed
                }
            });
            assertEquals(-1, c.waitFor(Duration.ofSeconds(20)));
            c.close();
            // the runner notices the dead connection and reconnects for the next command
            assertEquals(0, r.run(List.of("true"), Duration.ofSeconds(20)).exitStatus());
            // while the node is unreachable, commands fail with a clean connect error (no retries here)
            proxy.close();
            IOException e = assertThrows(IOException.class, () -> {
                proxy.cut();
                r.run(List.of("sleep", "5"), Duration.ofSeconds(20));
                r.run(List.of("true"), Duration.ofSeconds(20));
            });
            assertFalse(e.getMessage().isEmpty());
        }
    }

    private static void waitUntil(java.util.function.BooleanSupplier cond, String what) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting: " + what);
            }
            Thread.sleep(50);
        }
    }

    /** A TCP relay to the sshd whose connections can be cut, to simulate a network drop. */
    static final class CutProxy implements AutoCloseable {
        private final ServerSocket server;
        private final List<Socket> sockets = new CopyOnWriteArrayList<>();

        CutProxy(int target) throws IOException {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread t = new Thread(() -> {
                try {
                    while (true) {
                        Socket a = server.accept();
                        Socket b = new Socket("127.0.0.1", target);
                        sockets.add(a);
                        sockets.add(b);
                        pipe(a, b);
                        pipe(b, a);
                    }
                } catch (IOException ignored) {
                    // closed
                }
            }, "cut-proxy");
            t.setDaemon(true);
            t.start();
        }

        int port() {
            return server.getLocalPort();
        }

        private static void pipe(Socket from, Socket to) {
            Thread t = new Thread(() -> {
                try {
                    from.getInputStream().transferTo(to.getOutputStream());
                } catch (IOException ignored) {
                    // cut
                }
            });
            t.setDaemon(true);
            t.start();
        }

        void cut() {
            for (Socket s : new ArrayList<>(sockets)) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // closing
                }
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
            cut();
        }
    }
}
