package io.plakar.pve.proxmox;

import io.plakar.pve.config.ConfigReader;
import io.plakar.pve.runner.HostKeyPolicy;
import io.plakar.pve.runner.SshSettings;
import io.plakar.pve.sdk.ConnectorException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConnectionConfigTest {
    static final String PW = "s3cr3t-pw-value";
    static final String KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\\nAAAAsecretkeymaterial\\n-----END OPENSSH PRIVATE KEY-----";
    static final String FP = "SHA256:" + "abcdefghijklmnopqrstuvwxyz0123456789ABCDEF" + "w";
    static Path goodKey;
    static Path openKey;
    static Path knownHosts;

    @BeforeAll
    static void files() throws Exception {
        Path dir = Files.createTempDirectory("cc-test");
        goodKey = dir.resolve("id");
        Files.writeString(goodKey, "key");
        Files.setPosixFilePermissions(goodKey, PosixFilePermissions.fromString("rw-------"));
        openKey = dir.resolve("id_open");
        Files.writeString(openKey, "key");
        Files.setPosixFilePermissions(openKey, PosixFilePermissions.fromString("rw-r--r--"));
        knownHosts = dir.resolve("known_hosts");
        Files.writeString(knownHosts, "");
    }

    static Map<String, String> remote(String... kv) {
        Map<String, String> m = new HashMap<>(Map.of("location", "proxmox+backup://pve1.example.com", "mode", "remote",
                "conn_method", "password", "conn_username", "root", "conn_password", PW));
        for (int i = 0; i < kv.length; i += 2) {
            if (kv[i + 1] == null) {
                m.remove(kv[i]);
            } else {
                m.put(kv[i], kv[i + 1]);
            }
        }
        return m;
    }

    static ConnectionConfig ok(Map<String, String> m) throws ConnectorException {
        ConfigReader r = new ConfigReader("proxmox", m);
        ConnectionConfig c = ConnectionConfig.read(r);
        r.finish();
        return c;
    }

    static String err(Map<String, String> m) {
        ConfigReader r = new ConfigReader("proxmox", m);
        ConnectionConfig.read(r);
        ConnectorException e = assertThrows(ConnectorException.class, r::finish, "expected a problem for " + m.keySet());
        assertEquals(ConnectorException.Kind.INVALID_CONFIG, e.kind());
        assertFalse(e.getMessage().contains(PW), e.getMessage());
        assertFalse(e.getMessage().contains("secretkeymaterial"), e.getMessage());
        return e.getMessage();
    }

    @Test
    void defaults() throws Exception {
        ConnectionConfig c = ok(remote());
        assertTrue(c.isRemote());
        assertEquals("pve1.example.com", c.host());
        assertEquals(22, c.port());
        assertEquals(ConnectionConfig.ConnMethod.PASSWORD, c.connMethod());
        assertEquals(3, c.retryCount());
        assertEquals(Duration.ofSeconds(2), c.retryDelay());
        assertEquals(ConnectionConfig.SshTransport.SSHJ, c.transport());
        assertEquals("/var/lib/vz/dump", c.dumpDir());
        assertTrue(c.cleanup());
        assertEquals(1, c.maxNodesParallel());
        assertEquals(HostKeyPolicy.Kind.KNOWN_HOSTS, c.hostKeyPolicy().kind());
        assertFalse(c.toString().contains(PW));
        SshSettings s = c.sshSettings();
        assertEquals(PW, s.password());
        assertFalse(s.toString().contains(PW));
    }

    @Test
    void localModeIgnoresConnKeys() throws Exception {
        ConnectionConfig c = ok(Map.of("mode", "local", "conn_method", "bogus", "conn_username", "$(x)",
                "conn_password", PW, "conn_identity_file", "/nope"));
        assertFalse(c.isRemote());
        assertFalse(c.toString().contains(PW));
        assertTrue(ok(Map.of("mode", "local", "location", "proxmox+backup://")).host().isEmpty());
    }

    @Test
    void validValues() throws Exception {
        ConnectionConfig c = ok(remote("location", "proxmox+backup://[fd00::1]:2222", "ssh_retry_count", "0",
                "ssh_retry_delay", "1m30s", "ssh_cipher", "aes256-gcm@openssh.com", "node", "pve-2",
                "node_hosts", "pve1=10.0.0.11, pve-2=host.example,pve3=[fd00::3]", "dump_dir", "/mnt//dump/./x/",
                "cleanup", "F", "max_nodes_parallel", "16"));
        assertEquals("fd00::1", c.host());
        assertEquals(2222, c.port());
        assertEquals(Duration.ofSeconds(90), c.retryDelay());
        assertEquals(Map.of("pve1", "10.0.0.11", "pve-2", "host.example", "pve3", "fd00::3"), c.nodeHosts());
        assertEquals("/mnt/dump/x", c.dumpDir());
        assertFalse(c.cleanup());
        assertEquals(HostKeyPolicy.Kind.PINNED,
                ok(remote("ssh_host_key_fingerprint", FP)).hostKeyPolicy().kind());
        ConnectionConfig k = ok(remote("conn_method", "identity", "conn_identity_file", goodKey.toString(),
                "conn_password", null, "ssh_known_hosts", knownHosts.toString(), "conn_port", "2200"));
        assertEquals(goodKey, k.identityFile().orElseThrow());
        assertEquals(2200, k.port());
        ConnectionConfig t = ok(remote("conn_method", "identity", "conn_identity_key", KEY,
                "conn_identity_passphrase", "pp", "conn_password", null));
        assertTrue(t.sshSettings().identityKey().contains("\nAAAAsecretkeymaterial\n"));
        assertFalse(t.toString().contains("secretkeymaterial") || t.toString().contains("pp,"));
        assertEquals(ConnectionConfig.SshTransport.OPENSSH, ok(remote("ssh_transport", "openssh", "conn_method", "agent",
                "conn_password", null)).transport());
        assertTrue(ok(remote("ssh_insecure_ignore_host_key", "true")).insecureIgnoreHostKey());
    }

    @Test
    void validationTable() {
        Object[][] cases = {
                {remote("mode", null), "mode: is required"},
                {remote("mode", "cloud"), "mode: must be one of"},
                {remote("location", null), "location: is required in remote mode"},
                {remote("location", "ssh://pve1"), "location: must look like"},
                {remote("location", "proxmox+backup://pve1;reboot"), "location: host"},
                {remote("location", "proxmox+backup://pve 1"), "location: host"},
                {remote("location", "proxmox+backup://300.1.1.1"), "location: host is not a valid IPv4"},
                {remote("location", "proxmox+backup://[zz::1]"), "IPv6"},
                {remote("location", "proxmox+backup://pve1:70000"), "port must be between"},
                {remote("location", "proxmox+backup://"), "needs a host"},
                {remote("location", "proxmox+backup://pve1:2222", "conn_port", "22"), "give the port once"},
                {remote("conn_method", null), "conn_method: is required"},
                {remote("conn_method", "kerberos"), "conn_method: must be one of"},
                {remote("conn_username", null), "conn_username: is required"},
                {remote("conn_username", "root;id"), "conn_username: must be a login name"},
                {remote("conn_password", null), "conn_password: is required with conn_method=password"},
                {remote("conn_method", "identity"), "conn_identity_file or conn_identity_key is required"},
                {remote("conn_method", "identity", "conn_identity_file", "/does/not/exist"), "does not exist"},
                {remote("conn_method", "identity", "conn_identity_file", "/tmp"), "is not a regular file"},
                {remote("conn_method", "identity", "conn_identity_file", openKey.toString()), "chmod 600"},
                {remote("conn_method", "identity", "conn_identity_file", "~nobody/id"), "~user paths"},
                {remote("conn_method", "identity", "conn_identity_file", goodKey.toString(), "conn_identity_key", KEY),
                        "mutually exclusive"},
                {remote("conn_method", "identity", "conn_identity_key", "just-a-secret-string-" + PW),
                        "does not look like a private key"},
                {remote("conn_method", "agent"), "agent needs ssh_transport=openssh"},
                {remote("ssh_transport", "openssh"), "openssh cannot do password"},
                {remote("ssh_transport", "putty"), "ssh_transport: must be one of"},
                {remote("conn_method", "identity", "conn_identity_file", goodKey.toString(), "ssh_transport", "openssh",
                        "conn_identity_passphrase", PW), "conn_identity_passphrase: is not supported"},
                {remote("conn_port", "0"), "conn_port: must be between 1 and 65535"},
                {remote("conn_port", "ssh"), "conn_port: must be a whole number"},
                {remote("ssh_known_hosts", "/no/such/known_hosts"), "ssh_known_hosts: file"},
                {remote("ssh_host_key_fingerprint", "MD5:aa:bb"), "ssh_host_key_fingerprint: must be SHA256:"},
                {remote("ssh_host_key_fingerprint", "SHA256:abc"), "ssh_host_key_fingerprint: must be SHA256:"},
                {remote("ssh_host_key_fingerprint", FP, "ssh_insecure_ignore_host_key", "1"), "mutually exclusive"},
                {remote("ssh_host_key_fingerprint", FP, "conn_method", "agent", "ssh_transport", "openssh"),
                        "ssh_host_key_fingerprint: is not supported with ssh_transport=openssh"},
                {remote("ssh_host_key_fingerprint", FP, "node_hosts", "a=1.2.3.4,b=1.2.3.5"), "use ssh_known_hosts"},
                {remote("ssh_insecure_ignore_host_key", "yes"), "ssh_insecure_ignore_host_key: must be a boolean"},
                {remote("ssh_retry_count", "-1"), "ssh_retry_count: must be between 0"},
                {remote("ssh_retry_delay", "2"), "ssh_retry_delay: must be a duration"},
                {remote("ssh_retry_delay", "1h"), "ssh_retry_delay: must be at most"},
                {remote("ssh_cipher", "3des-cbc"), "ssh_cipher: must be one of"},
                {remote("node", "-pve"), "node: must be a Proxmox node name"},
                {remote("node", "pve_1"), "node: must be a Proxmox node name"},
                {remote("node_hosts", "pve1"), "node_hosts: entries must be node=host"},
                {remote("node_hosts", "pve1=a b"), "node_hosts: host of node pve1"},
                {remote("node_hosts", "pve1=$(x)"), "node_hosts: host of node pve1"},
                {remote("node_hosts", "p_1=10.0.0.1"), "node_hosts: invalid node name"},
                {remote("node_hosts", "pve1=10.0.0.1,pve1=10.0.0.2"), "listed twice"},
                {remote("dump_dir", "relative/dir"), "dump_dir: must be an absolute"},
                {remote("dump_dir", "/var/../etc"), "dump_dir: must be an absolute"},
                {remote("dump_dir", "/"), "dump_dir: must be an absolute"},
                {remote("dump_dir", "/var/lib/vz/dump\n"), "dump_dir: contains a control character"},
                {remote("cleanup", "maybe"), "cleanup: must be a boolean"},
                {remote("max_nodes_parallel", "0"), "max_nodes_parallel: must be between 1 and 16"},
                {remote("max_nodes_parallel", "17"), "max_nodes_parallel: must be between 1 and 16"},
                {remote("conn_password", PW + "\u0001"), "conn_password: contains a control character"},
                {remote("unknown_key", "x"), "unknown option"},
        };
        for (Object[] c : cases) {
            @SuppressWarnings("unchecked")
            Map<String, String> m = (Map<String, String>) c[0];
            String msg = err(m);
            assertTrue(msg.contains((String) c[1]), "expected '" + c[1] + "' in: " + msg);
        }
    }

    @Test
    void secretsNeverInMessagesEvenWhenInvalid() {
        String msg = err(remote("conn_method", "identity", "conn_password", PW, "conn_identity_key", "x" + PW,
                "conn_identity_passphrase", PW, "mode", "remote", "conn_port", "bad"));
        assertFalse(msg.contains(PW));
        for (String k : ConnectionConfig.SECRET_KEYS) {
            assertTrue(ConnectionConfig.KEYS.contains(k));
        }
        assertEquals(List.copyOf(ConnectionConfig.KEYS), ConnectionConfig.KEYS);
    }
}
