package io.plakar.pve.plugin.reliability;

import io.grpc.StatusRuntimeException;
import io.plakar.pve.proto.connectors.Result;
import io.plakar.pve.testkit.host.BackupOptions;
import io.plakar.pve.testkit.host.Snapshot;
import io.plakar.pve.testkit.pbs.FakePbs;
import io.plakar.pve.testkit.pbs.FakePve;
import io.plakar.pve.testkit.pbs.Snap;
import io.plakar.pve.testkit.sim.SimulatedCluster;
import io.plakar.pve.testkit.sim.LoopbackSshd;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Who gets in: SSH host keys (mismatch, unknown host, explicit opt-out), pinned TLS
 * certificates for PBS and PVE, identity file permissions; and what gets out: no secret in
 * anything a plugin said, in any test of the suite.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SecurityIT {
    SimulatedCluster node;
    LoopbackSshd sshd;
    Path dumpDir;
    Path otherKnownHosts;
    Path emptyKnownHosts;

    @BeforeAll
    void start() throws Exception {
        node = Rel.node();
        node.updateGuest(101, g -> g.diskBytes(256L << 10));
        sshd = LoopbackSshd.start(node);
        dumpDir = node.newDumpDir("sec");
        Path other = node.tempRoot().resolve("other_host_key");
        Process kg = new ProcessBuilder("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", other.toString()).start();
        assertEquals(0, kg.waitFor());
        otherKnownHosts = node.tempRoot().resolve("known_hosts_other");
        Files.writeString(otherKnownHosts, "[127.0.0.1]:" + sshd.port() + " " + Files.readString(Path.of(other + ".pub")).trim() + "\n");
        emptyKnownHosts = node.tempRoot().resolve("known_hosts_empty");
        Files.writeString(emptyKnownHosts, "# nobody\n");
        if (sshd.password() != null) {
            Capture.secret(sshd.password());
        }
        Capture.secret(sshd.identityPassphrase());
        for (Path key : List.of(sshd.identityFile(), sshd.encryptedIdentityFile())) {
            for (String line : Files.readAllLines(key)) {
                if (!line.startsWith("-----") && line.length() >= 40) {
                    Capture.secret(line); // any line of a private key is a secret
                }
            }
        }
    }

    @AfterAll
    void stop() {
        sshd.close();
        node.close();
        Capture.assertNoLeaks();
    }

    /** Init + ping + backup with a config whose host key check must refuse; nothing may run. */
    String refusedBackup(Map<String, String> config, String label) {
        int before = node.audit().size();
        String ping;
        Snapshot s;
        try (Rel.Plugin p = Rel.importer(Map.of(), "security " + label)) {
            var c = p.process.importer();
            c.init("proxmox+backup", config);
            ping = assertThrows(StatusRuntimeException.class, c::ping).getStatus().getDescription();
            Capture.text(p.label + " ping", ping);
            s = c.backup(BackupOptions.defaults());
            Capture.snapshot(p.label, s);
            p.finish();
        }
        assertTrue(s.entries().stream().noneMatch(Snapshot.Entry::ok), s.toString());
        assertFalse(s.importError().isEmpty() && s.entries().isEmpty(), "the refusal must reach the host: " + s);
        assertEquals(before, node.audit().size(), "no command may run on a refused host: " + node.audit());
        return ping;
    }

    /** A restore whose host key check must refuse: at Init (connector error) or per record; nothing may run. */
    String refusedRestore(Map<String, String> config, String label) throws Exception {
        byte[] ct = Rel.reference(node, 101, "0");
        int before = node.audit().size();
        String msg;
        try (Rel.Plugin p = Rel.exporter(Map.of(), "security " + label)) {
            try {
                List<Result> r = Rel.export(p, config, List.of(Rel.file("/" + Rel.dumpName("lxc", 101, "tar"), ct)));
                msg = r.get(0).getError();
            } catch (StatusRuntimeException e) {
                msg = e.getStatus().getDescription();
                Capture.text(p.label + " init", msg);
            }
            p.finish();
        }
        assertEquals(before, node.audit().size(), "no command may run on a refused host: " + node.audit());
        assertFalse(msg == null || msg.isEmpty(), "the refusal must reach the host");
        return msg;
    }

    @Test
    @Order(1)
    void hostKeyMismatchIsRefused() throws Exception {
        String msg = refusedBackup(Rel.remote(sshd, dumpDir, "vmid", "101", "ssh_known_hosts", otherKnownHosts.toString()), "mismatch");
        assertTrue(msg.toLowerCase().contains("host key") && msg.toLowerCase().contains("refus"), msg);
        String r = refusedRestore(Rel.remote(sshd, dumpDir, "ssh_known_hosts", otherKnownHosts.toString(),
                "node", node.localNode()), "mismatch-restore");
        assertTrue(r.toLowerCase().contains("host key"), r);
        String pin = refusedBackup(with(Rel.remote(sshd, dumpDir, "vmid", "101"), "ssh_known_hosts", null,
                "ssh_host_key_fingerprint", "SHA256:" + "A".repeat(43)), "pin-mismatch");
        assertTrue(pin.toLowerCase().contains("host key"), pin);
        FiguresReport.security("SSH host key mismatch (known_hosts, pinned fingerprint; backup and restore)",
                "refused before any command; message names the offered key");
    }

    @Test
    @Order(2)
    void unknownHostIsRefusedUnlessExplicitlyAllowed() {
        String msg = refusedBackup(Rel.remote(sshd, dumpDir, "vmid", "101", "ssh_known_hosts", emptyKnownHosts.toString()), "unknown");
        assertTrue(msg.contains("unknown"), msg);
        Snapshot s;
        try (Rel.Plugin p = Rel.importer(Map.of(), "security insecure")) {
            s = Rel.backup(p, with(Rel.remote(sshd, dumpDir, "vmid", "101"), "ssh_known_hosts", null,
                    "ssh_insecure_ignore_host_key", "true"), BackupOptions.defaults());
            p.finish();
        }
        assertTrue(Rel.entry(s, "/vzdump-lxc-101-").ok(), "explicit opt-out connects: " + s);
        FiguresReport.security("SSH unknown host", "refused; connects only with ssh_insecure_ignore_host_key=true");
    }

    @Test
    @Order(3)
    void identityFileReadableByOthersIsRefused() throws Exception {
        Path key = node.tempRoot().resolve("id_loose");
        Files.copy(sshd.identityFile(), key);
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
        int before = node.audit().size();
        try (Rel.Plugin p = Rel.importer(Map.of(), "security perms")) {
            var c = p.process.importer();
            String msg = assertThrows(StatusRuntimeException.class, () -> c.init("proxmox+backup",
                    Rel.remote(sshd, dumpDir, "vmid", "101", "conn_identity_file", key.toString()))).getStatus().getDescription();
            Capture.text(p.label + " init", msg);
            assertTrue(msg.contains("conn_identity_file") && msg.contains("chmod 600"), msg);
            Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
            c.init("proxmox+backup", Rel.remote(sshd, dumpDir, "vmid", "101", "conn_identity_file", key.toString()));
            p.finish();
        }
        assertEquals(before, node.audit().size());
        var e = assertThrows(StatusRuntimeException.class, () -> {
            try (Rel.Plugin p = Rel.exporter(Map.of(), "security perms exporter")) {
                Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-rw-r--"));
                p.process.exporter().init("proxmox+backup", Rel.remote(sshd, dumpDir, "conn_identity_file", key.toString()));
            }
        });
        Capture.text("exporter perms init", e.getStatus().getDescription());
        assertTrue(e.getStatus().getDescription().contains("chmod 600"), e.getStatus().getDescription());
        FiguresReport.security("identity file mode 0644 / 0664", "Init refused: \"accessible by group or others; run chmod 600\"");
    }

    @Test
    @Order(4)
    void wrongSecretsFailWithoutShowingThem() throws Exception {
        List<String> msgs = new ArrayList<>();
        if (sshd.password() != null) {
            String wrongPw = "Wr0ng-pa$$word;`id`\"'";
            Capture.secret(wrongPw);
            Map<String, String> pw = with(Rel.remote(sshd, dumpDir, "vmid", "101"), "conn_identity_file", null,
                    "conn_method", "password", "conn_password", wrongPw);
            msgs.add(refusedBackup(pw, "wrong password"));
            // and the right password works (its outputs are searched too)
            try (Rel.Plugin p = Rel.importer(Map.of(), "security password")) {
                Snapshot s = Rel.backup(p, with(pw, "conn_password", sshd.password()), BackupOptions.defaults());
                assertTrue(Rel.entry(s, "/vzdump-lxc-101-").ok(), s.toString());
                p.finish();
            }
        }
        String wrongPass = "not-the-passphrase-9d8c7b";
        Capture.secret(wrongPass);
        Map<String, String> enc = Rel.remote(sshd, dumpDir, "vmid", "101", "conn_identity_file",
                sshd.encryptedIdentityFile().toString(), "conn_identity_passphrase", wrongPass);
        try (Rel.Plugin p = Rel.importer(Map.of(), "security wrong passphrase")) {
            var c = p.process.importer();
            try {
                c.init("proxmox+backup", enc);
                msgs.add(assertThrows(StatusRuntimeException.class, c::ping).getStatus().getDescription());
            } catch (StatusRuntimeException e) {
                msgs.add(e.getStatus().getDescription());
            }
            p.finish();
        }
        String inlineKey = Files.readString(sshd.encryptedIdentityFile());
        Map<String, String> inline = with(enc, "conn_identity_file", null, "conn_identity_key", inlineKey,
                "conn_identity_passphrase", sshd.identityPassphrase());
        try (Rel.Plugin p = Rel.importer(Map.of(), "security inline key")) {
            Snapshot s = Rel.backup(p, inline, BackupOptions.defaults());
            assertTrue(Rel.entry(s, "/vzdump-lxc-101-").ok(), s.toString());
            p.finish();
        }
        try (Rel.Plugin p = Rel.importer(Map.of(), "security inline key bad passphrase")) {
            var c = p.process.importer();
            try {
                c.init("proxmox+backup", with(inline, "conn_identity_passphrase", wrongPass));
                msgs.add(assertThrows(StatusRuntimeException.class, c::ping).getStatus().getDescription());
            } catch (StatusRuntimeException e) {
                msgs.add(e.getStatus().getDescription());
            }
            p.finish();
        }
        for (String m : msgs) {
            Capture.text("security messages", m);
            assertTrue(m != null && !m.isBlank(), "a clear error is expected");
        }
        FiguresReport.security("wrong password / passphrase / inline key passphrase", "clear authentication error, secret not shown");
    }

    @Test
    @Order(5)
    void tlsFingerprintMismatchIsRefused(@TempDir Path store) throws Exception {
        String secret = "tls-test-secret-0f1e2d3c4b5a";
        Capture.secret(secret);
        try (FakePbs pbs = new FakePbs("audit@pbs!tls", secret); FakePve pve = new FakePve("audit@pve!tls", secret + "-pve")) {
            Capture.secret(secret + "-pve");
            pbs.store("store1").add("", Snap.vm("100", 1714557600L, 1000));
            pbs.start();
            pve.cluster("lab").node("pve1");
            pve.start();
            String wrong = "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF";
            Map<String, String> c = Rel.cfg("location", "pbs+audit://127.0.0.1:" + pbs.port(), "token_id", "audit@pbs!tls",
                    "token_secret", secret, "fingerprint", wrong, "read_logs", "none");
            String ping;
            Snapshot s;
            long pbsRequests;
            try (Rel.Plugin p = new Rel.Plugin(Rel.auditExe(), Map.of(), "security tls")) {
                var imp = p.process.importer();
                imp.init("pbs+audit", c);
                ping = assertThrows(StatusRuntimeException.class, imp::ping).getStatus().getDescription();
                Capture.text(p.label + " ping", ping);
                s = imp.backup(BackupOptions.defaults().storeContent(store));
                Capture.snapshot(p.label, s);
                // no pin, no opt-out: the system trust store refuses a self-signed certificate
                Map<String, String> noPin = new java.util.LinkedHashMap<>(c);
                noPin.remove("fingerprint");
                imp.init("pbs+audit", noPin);
                String sys = assertThrows(StatusRuntimeException.class, imp::ping).getStatus().getDescription();
                Capture.text(p.label + " ping", sys);
                assertTrue(sys.contains("not trusted"), sys);
                pbsRequests = pbs.requestCount();
                // a wrong pin for PVE only: PBS is audited, PVE is refused
                Map<String, String> pveWrong = new java.util.LinkedHashMap<>(c);
                pveWrong.put("fingerprint", pbs.fingerprint());
                pveWrong.putAll(Rel.cfg("pve_url", pve.url(), "pve_token_id", "audit@pve!tls", "pve_token_secret", secret + "-pve",
                        "pve_fingerprint", wrong));
                imp.init("pbs+audit", pveWrong);
                String pveMsg = assertThrows(StatusRuntimeException.class, imp::ping).getStatus().getDescription();
                Capture.text(p.label + " ping", pveMsg);
                assertTrue(pveMsg.contains("TLS certificate refused"), pveMsg);
                p.finish();
            }
            assertTrue(ping.contains("TLS certificate refused") && ping.contains(pbs.fingerprint()), ping);
            assertEquals(0, pbsRequests, "no request (no token) may reach a server with the wrong certificate");
            assertEquals(0, pve.requestCount(), "no request (no token) may reach a PVE with the wrong certificate");
            assertFalse(s.entries().stream().anyMatch(e -> e.path().startsWith("/datastores/store1/ns/")), s.toString());
            assertFalse(s.importError().isEmpty() && s.entries().isEmpty(), "the refusal must reach the host");
        }
        FiguresReport.security("TLS fingerprint mismatch (PBS, PVE) and self-signed without a pin",
                "refused before any request is sent (0 requests, token never sent)");
    }

    /** Last: every secret used anywhere in the suite so far, searched in everything captured. */
    @Test
    @Order(99)
    void noSecretInAnythingCaptured() {
        assertTrue(Capture.secrets().size() >= 4, Capture.secrets().size() + " secrets");
        Capture.assertNoLeaks();
    }

    static Map<String, String> with(Map<String, String> base, String... kv) {
        Map<String, String> m = new java.util.LinkedHashMap<>(base);
        for (int i = 0; i < kv.length; i += 2) {
            if (kv[i + 1] == null) {
                m.remove(kv[i]);
            } else {
                m.put(kv[i], kv[i + 1]);
            }
        }
        return m;
    }
}
