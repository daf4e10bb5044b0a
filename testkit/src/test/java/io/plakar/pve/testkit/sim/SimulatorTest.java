package io.plakar.pve.testkit.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SimulatorTest {
    static SimulatedCluster node;

    @BeforeAll
    static void setUp() throws IOException {
        node = SimulatedCluster.create();
        node.putEnv("PVE_FAKE_NOW", "1714557600");
    }

    @AfterAll
    static void tearDown() {
        node.close();
    }

    static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    static boolean startsWith(byte[] b, int... magic) {
        if (b.length < magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if ((b[i] & 0xff) != magic[i]) {
                return false;
            }
        }
        return true;
    }

    @Test
    void qemuStreamIsVmaAndLogsGoToStderr() {
        ProcResult r = node.run("vzdump", "100", "--stdout", "1", "--mode", "snapshot");
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(startsWith(r.stdout(), 'V', 'M', 'A', 0, 0, 0, 0, 1), "VMA magic + version 1");
        assertTrue(r.stdout().length > 8 << 20);
        String err = r.stderr();
        assertTrue(err.contains("INFO: sending archive to stdout\n"), err);
        assertTrue(err.contains("INFO: 100% (8.0 MiB of 8.0 MiB)"), err);
        assertTrue(err.contains("INFO: Finished Backup of VM 100 ("), err);
        assertTrue(err.endsWith("INFO: Backup job finished successfully\n"), err);
        // guest lock is released again
        assertNull(node.guest(100).lock);
    }

    @Test
    void lxcTarHasPaxHeaderThenPctConf() {
        ProcResult r = node.run("vzdump", "101", "--stdout", "1");
        assertEquals(0, r.exitCode(), r.toString());
        byte[] b = r.stdout();
        // GNU tar with --acls/--xattrs writes pax: an extended header precedes pct.conf (facts 12.1)
        assertEquals("./etc/vzdump/PaxHeaders/pct.conf", new String(b, 0, 100, StandardCharsets.US_ASCII).replace("\0", ""));
        String name = new String(b, 1024, 100, StandardCharsets.US_ASCII).replace("\0", "");
        assertEquals("./etc/vzdump/pct.conf", name);
        assertEquals("ustar", new String(b, 257, 5, StandardCharsets.US_ASCII));
        String conf = new String(b, 1536, 400, StandardCharsets.UTF_8);
        assertTrue(conf.contains("hostname: dns01\n"), conf);
        assertTrue(conf.contains("rootfs: local-lvm:subvol-101-disk-0,size=8G\n"), conf);
        assertTrue(r.stderr().contains("INFO: Total bytes written: "), r.stderr());
    }

    @Test
    void compressionMagics() {
        assertTrue(startsWith(node.run("vzdump", "100", "--stdout", "1", "--compress", "zstd", "--zstd", "1").stdout(),
                0x28, 0xb5, 0x2f, 0xfd));
        assertTrue(startsWith(node.run("vzdump", "101", "--stdout", "1", "--compress", "gzip").stdout(), 0x1f, 0x8b, 0x08));
        assertTrue(startsWith(node.run("vzdump", "101", "--stdout", "1", "--compress", "1").stdout(),
                0x89, 'L', 'Z', 'O', 0, 0x0d, 0x0a, 0x1a, 0x0a));
    }

    @Test
    void wrongNodeIsSilentNoop() {
        for (ProcResult r : List.of(node.run("vzdump", "100", "--stdout", "1", "--node", "pve2"),
                node.run("vzdump", "102", "--stdout", "1"))) {
            assertEquals(0, r.exitCode());
            assertEquals(0, r.stdout().length);
            assertEquals("", r.stderr());
        }
    }

    @Test
    void optionErrors() {
        ProcResult r = node.run("vzdump", "100", "--bogus", "1");
        assertEquals(255, r.exitCode());
        assertEquals("Unknown option: bogus\n400 unable to parse option\nvzdump {<vmid>} [OPTIONS]\n", r.stderr());
        r = node.run("vzdump", "--stdout", "100");
        assertEquals("400 unable to parse boolean option\nvzdump {<vmid>} [OPTIONS]\n", r.stderr());
        r = node.run("vzdump", "999", "--stdout", "1");
        assertEquals(255, r.exitCode());
        assertTrue(r.stderr().contains("ERROR: Backup of VM 999 failed - unable to find VM '999'\n"), r.stderr());
        assertTrue(r.stderr().endsWith("job errors\n"));
        r = node.run("vzdump", "100", "--compress", "xz");
        assertTrue(r.stderr().startsWith("400 Parameter verification failed.\ncompress: "), r.stderr());
    }

    @Test
    void qmrestoreFromStdinHashesTheUncompressedStream() throws Exception {
        ProcResult dump = node.run("vzdump", "100", "--stdout", "1");
        assertEquals(0, dump.exitCode());
        ProcResult r = node.runWithInput(dump.stdout(), "qmrestore", "-", "150", "--storage", "local-lvm");
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.stdoutText().contains("DEV: dev_id=1 size: 8388608 devname: drive-scsi0"), r.stdoutText());
        Map<String, Object> rec = node.restores().get(node.restores().size() - 1);
        assertEquals(150L, rec.get("vmid"));
        assertEquals(sha256(dump.stdout()), rec.get("sha256_uncompressed"));
        assertEquals((long) dump.stdout().length, rec.get("bytes_read"));
        assertEquals(Boolean.TRUE, rec.get("ok"));
        Guest g = node.guest(150);
        assertEquals("web01", g.name);
        assertEquals("stopped", g.status);
        // existing vmid without --force
        r = node.runWithInput(dump.stdout(), "qmrestore", "-", "150");
        assertEquals("unable to restore VM 150 - VM 150 already exists on node 'pve1'\n", r.stderr());
        node.removeGuest(150);
    }

    @Test
    void faultsAndAudit() {
        node.fault("vzdump", 100, "fail_after_bytes", "bytes", 100000, "message", "boom");
        try {
            ProcResult r = node.run("vzdump", "100", "--stdout", "1");
            assertEquals(255, r.exitCode());
            assertEquals(100000, r.stdout().length);
            assertTrue(r.stderr().contains("ERROR: Backup of VM 100 failed - boom\n"), r.stderr());
            assertTrue(r.stderr().endsWith("job errors\n"));
        } finally {
            node.clearFaults();
        }
        assertTrue(node.auditArgv("vzdump").contains(List.of("vzdump", "100", "--stdout", "1")));
    }

    @Test
    void pveshShapes() {
        ProcResult r = node.run("pvesh", "get", "/version", "--output-format", "json");
        assertEquals("{\"release\":\"8.2\",\"repoid\":\"faa83925c9641325\",\"version\":\"8.2.4\"}\n", r.stdoutText());
        r = node.run("pvesh", "get", "/pools/nosuch", "--output-format", "json");
        assertEquals(255, r.exitCode());
        assertEquals("pool 'nosuch' does not exist\n", r.stderr());
        r = node.run("pvesh", "get", "/cluster/resources", "--type", "vm", "--output-format", "json");
        @SuppressWarnings("unchecked")
        List<Object> res = (List<Object>) StateJson.parse(r.stdoutText());
        assertEquals(4, res.size());
        r = node.run("pvesh", "get", "/nope", "--output-format", "json");
        assertEquals("no 'get' handler for '/nope'\n", r.stderr());
    }

    @Test
    void qmAndPctStatus() {
        assertEquals("status: running\n", node.run("qm", "status", "100").stdoutText());
        assertEquals(0, node.run("qm", "stop", "9000").exitCode());
        ProcResult r = node.run("pct", "stop", "105");
        assertNotEquals(0, r.exitCode());
        assertEquals("CT 105 not running\n", r.stderr());
        assertEquals("Configuration file 'nodes/pve1/qemu-server/102.conf' does not exist\n",
                node.run("qm", "status", "102").stderr());
    }

    @Test
    void sshStreamsTheSameBytes() throws Exception {
        try (LoopbackSshd sshd = LoopbackSshd.start(node)) {
            assertTrue(sshd.hostKeyFingerprint().startsWith("SHA256:"));
            byte[] local = node.run("vzdump", "100", "--stdout", "1").stdout();
            ProcResult r = sshd.ssh("vzdump 100 --stdout 1");
            assertEquals(0, r.exitCode(), r + " / " + sshd.readLog());
            assertEquals(sha256(local), sha256(r.stdout()));
            assertTrue(r.stderr().contains("INFO: sending archive to stdout"));
            assertTrue(node.audit().stream().anyMatch(m -> "vzdump".equals(m.get("tool"))
                    && List.of("100", "--stdout", "1").equals(m.get("argv"))));

            if (sshd.password() != null) {
                // password auth with the system client via SSH_ASKPASS
                Path askpass = sshd.workDir().resolve("askpass.sh");
                Files.writeString(askpass, "#!/bin/sh\necho '" + sshd.password() + "'\n");
                SimulatedCluster.setPerms(askpass, "rwx------");
                ProcessBuilder pb = new ProcessBuilder("ssh", "-o", "UserKnownHostsFile=" + sshd.knownHostsFile(),
                        "-o", "StrictHostKeyChecking=yes", "-o", "PubkeyAuthentication=no",
                        "-o", "PreferredAuthentications=password", "-o", "NumberOfPasswordPrompts=1",
                        "-o", "Ciphers=aes256-gcm@openssh.com",
                        "-p", Integer.toString(sshd.port()), sshd.username() + "@127.0.0.1",
                        "pvesh get /version --output-format json");
                pb.environment().put("SSH_ASKPASS", askpass.toString());
                pb.environment().put("SSH_ASKPASS_REQUIRE", "force");
                pb.environment().put("DISPLAY", ":0");
                pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
                Process p = pb.start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertTrue(p.waitFor(30, TimeUnit.SECONDS));
                assertEquals(0, p.exitValue(), new String(p.getErrorStream().readAllBytes()));
                assertTrue(out.contains("\"version\":\"8.2.4\""), out);
            }
        }
    }

    @Test
    void dropConnectionsKillsStreamingSession() throws Exception {
        node.fault("vzdump", 100, "hang_after_bytes", "bytes", 65536);
        try (LoopbackSshd sshd = LoopbackSshd.start(node)) {
            Process p = new ProcessBuilder(sshd.sshCommand("vzdump 100 --stdout 1")).start();
            CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()));
            CompletableFuture.runAsync(() -> readAll(p.getErrorStream()));
            long deadline = System.currentTimeMillis() + 10_000;
            while (node.guest(100).lock == null && System.currentTimeMillis() < deadline) {
                Thread.sleep(50);
            }
            Thread.sleep(300);
            assertTrue(p.isAlive());
            sshd.dropConnections();
            assertTrue(p.waitFor(15, TimeUnit.SECONDS));
            assertNotEquals(0, p.exitValue());
            assertEquals(65536, out.get(5, TimeUnit.SECONDS).length);
        } finally {
            node.clearFaults();
            node.updateGuest(100, g -> g.lock = null);
        }
    }

    static byte[] readAll(InputStream in) {
        try {
            ByteArrayOutputStream bo = new ByteArrayOutputStream();
            in.transferTo(bo);
            return bo.toByteArray();
        } catch (IOException e) {
            return new byte[0];
        }
    }

    @Test
    void guestApiRoundTrip() {
        node.addGuest(Guest.lxc(301, "ct301").running().diskBytes(1 << 20).pool("prod").put("tags", "a;b"));
        Guest g = node.guest(301);
        assertNotNull(g);
        assertEquals("lxc", g.type);
        assertEquals(1 << 20, g.diskBytes);
        assertEquals("a;b", g.extra.get("tags"));
        ProcResult r = node.run("pvesh", "get", "/pools/prod", "--output-format", "json");
        assertTrue(r.stdoutText().contains("\"vmid\":301"), r.stdoutText());
        node.removeGuest(301);
        assertNull(node.guest(301));
        assertFalse(node.listDumpDir(node.localDumpDir()).stream().anyMatch(p -> p.toString().endsWith(".dat")));
        byte[] x = new byte[0];
        assertArrayEquals(x, new byte[0]);
    }

    @Test
    void twoNodesTwoSshds() throws Exception {
        try (LoopbackSshd a = LoopbackSshd.start(node, "pve1"); LoopbackSshd b = LoopbackSshd.start(node, "pve2")) {
            assertNotEquals(a.port(), b.port());
            ProcResult onA = a.ssh("vzdump 102 --stdout 1");
            assertEquals(0, onA.exitCode());
            assertEquals(0, onA.stdout().length);
            ProcResult onB = b.ssh("vzdump 102 --stdout 1");
            assertEquals(0, onB.exitCode(), onB.toString());
            assertTrue(startsWith(onB.stdout(), 'V', 'M', 'A', 0));
            assertEquals("status: stopped\n", b.ssh("qm status 102").stdoutText());
        }
    }

    @Test
    void fileModeWritesArchiveAndLog() {
        Path dir = node.newDumpDir("filemode");
        ProcResult r = node.run("vzdump", "101", "--dumpdir", dir.toString(), "--compress", "zstd");
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals("", r.stderr());
        assertTrue(r.stdoutText().contains("INFO: creating vzdump archive '" + dir + "/vzdump-lxc-101-"), r.stdoutText());
        List<Path> files = node.listDumpDir(dir);
        assertEquals(2, files.size(), files.toString());
        assertTrue(files.get(0).getFileName().toString().matches("vzdump-lxc-101-\\d{4}_\\d\\d_\\d\\d-\\d\\d_\\d\\d_\\d\\d\\.log"));
        assertTrue(files.get(1).getFileName().toString().endsWith(".tar.zst"));
        ProcResult rr = node.run("pct", "restore", "160", files.get(1).toString(), "--storage", "local-lvm");
        assertEquals(0, rr.exitCode(), rr.toString());
        assertEquals("dns01", node.guest(160).name);
        node.removeGuest(160);
    }
}
