package io.plakar.pve.runner;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OpenSshRunnerTest {
    private static TestSshd sshd;

    @BeforeAll
    static void start() throws Exception {
        Assumptions.assumeTrue(TestSshd.available(), "/usr/sbin/sshd is not installed");
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/ssh")), "no ssh client");
        sshd = new TestSshd();
    }

    @AfterAll
    static void stop() {
        if (sshd != null) {
            sshd.close();
        }
    }

    @Test
    void runsWithQuotingAndExitStatus() throws Exception {
        try (OpenSshRunner r = OpenSshRunner.create(sshd.keySettings().build())) {
            CommandResult ok = r.run(List.of("printf", "%s|", "a b", "it's", "$HOME"), Duration.ofSeconds(20));
            assertEquals(0, ok.exitStatus(), ok.stderr());
            assertEquals("a b|it's|$HOME|", ok.stdout());
            assertEquals(7, r.run(List.of("sh", "-c", "exit 7"), Duration.ofSeconds(20)).exitStatus());
        }
    }

    @Test
    void keyTextStreamAndStatus() throws Exception {
        long n = 64L << 20;
        try (OpenSshRunner r = OpenSshRunner.create(sshd.keySettings().identityKey(Files.readString(sshd.clientKey)).build());
             RunningCommand c = r.start(List.of("head", "-c", Long.toString(n), "/dev/zero"), Runner.LineListener.IGNORE)) {
            c.stdin().close();
            InputStream in = c.stdout();
            long total = 0;
            byte[] buf = new byte[1 << 20];
            int k;
            while ((k = in.read(buf)) > 0) {
                total += k;
            }
            assertEquals(n, total);
            assertEquals(0, c.waitFor(Duration.ofSeconds(60)));
            assertTrue(c.lastStderrLines().isEmpty(), c.lastStderrLines().toString());
            // the key text reached ssh, yet no key file is left on disk to outlive a killed plugin
            try (var tmp = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
                assertTrue(tmp.noneMatch(f -> f.getFileName().toString().startsWith("plakar-ssh-key")));
            }
        }
    }

    @Test
    void killStopsRemoteProcess() throws Exception {
        String marker = "1000." + Math.abs(UUID.randomUUID().getMostSignificantBits() % 1_000_000);
        try (OpenSshRunner r = OpenSshRunner.create(sshd.keySettings().build())) {
            RunningCommand c = r.start(List.of("sleep", marker), Runner.LineListener.IGNORE);
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (TestSshd.pidsWith("sleep " + marker).isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            Thread.sleep(300); // let the pid line arrive
            c.kill();
            assertEquals(-1, c.waitFor(Duration.ofSeconds(10)));
            deadline = System.nanoTime() + 10_000_000_000L;
            while (!TestSshd.pidsWith("sleep " + marker).isEmpty()) {
                assertTrue(System.nanoTime() < deadline, "remote sleep still running after kill()");
                Thread.sleep(50);
            }
        }
    }

    @Test
    void refusesWhatBatchModeCannotDo() {
        assertThrows(RunnerException.class, () -> OpenSshRunner.create(sshd.keySettings().password("x").build()));
        assertThrows(RunnerException.class, () -> OpenSshRunner.create(sshd.keySettings()
                .hostKeyPolicy(HostKeyPolicy.pinned(sshd.hostFingerprint)).build()));
        assertThrows(RunnerException.class, () -> OpenSshRunner.create(sshd.keySettings()
                .identityPassphrase("pp").build()));
    }

    @Test
    void unknownHostIsAnErrorWithFix() throws Exception {
        Path empty = Files.createTempFile(sshd.dir, "kh", "");
        try (OpenSshRunner r = OpenSshRunner.create(sshd.keySettings().hostKeyPolicy(HostKeyPolicy.knownHosts(empty)).build())) {
            IOException e = assertThrows(IOException.class, () -> r.run(List.of("true"), Duration.ofSeconds(20)));
            assertTrue(e.getMessage().contains("ssh-keyscan"), e.getMessage());
        }
    }
}
