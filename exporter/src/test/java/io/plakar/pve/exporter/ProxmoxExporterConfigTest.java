package io.plakar.pve.exporter;

import io.plakar.pve.sdk.ConnectorException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class ProxmoxExporterConfigTest {

    private static Map<String, String> base(String... kv) {
        Map<String, String> m = new HashMap<>(Map.of("mode", "local", "location", "proxmox+backup://pve1"));
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void defaults() throws Exception {
        var c = ProxmoxExporterConfig.parse(base());
        assertEquals("/var/lib/vz/dump", c.connection().dumpDir());
        assertTrue(c.connection().cleanup());
        assertFalse(c.restore().unique());
        assertFalse(c.restore().force());
        assertEquals(ProxmoxExporterConfig.RestoreTransport.STAGE, c.restore().transport());
    }

    @Test
    void uniqueDefaultsToTrueWithNewIdLikeTheGoPlugin() throws Exception {
        assertTrue(ProxmoxExporterConfig.parse(base("newid", "201")).restore().unique());
        assertFalse(ProxmoxExporterConfig.parse(base("newid", "201", "unique", "false")).restore().unique());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "newid|99|newid: must be a VMID",
            "newid|1000000000|newid: must be a VMID",
            "newid|0101|newid: must be a VMID",
            "storage|Local|storage: must be a storage id",
            "storage|a;rm -rf /|storage: must be a storage id",
            "pool|a/b/c/d|pool: must be a pool id",
            "pool|a b|pool: must be a pool id",
            "force_vm_restore|maybe|force_vm_restore: must be a boolean",
            "start_on_restore|yes|start_on_restore: must be a boolean",
            "bwlimit|-1|bwlimit: must be between",
            "restore_transport|pipe|restore_transport: must be one of stage, stream",
            "mode|cloud|mode: must be one of local, remote",
            "dump_dir|relative/dir|dump_dir: must be an absolute directory path",
            "dump_dir|/var/../etc|dump_dir: must be an absolute directory path",
            "cleanup|2|cleanup: must be a boolean",
            "node|pve 1|node: must be a Proxmox node name",
            "frobnicate|1|unknown option \"frobnicate\"",
    })
    void rejects(String key, String value, String expected) {
        ConnectorException e = assertThrows(ConnectorException.class, () -> ProxmoxExporterConfig.parse(base(key, value)));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertEquals(ConnectorException.Kind.INVALID_CONFIG, e.kind());
    }

    @Test
    void reportsEveryProblemAtOnceAndNeverShowsTheSecret() {
        ConnectorException e = assertThrows(ConnectorException.class, () -> ProxmoxExporterConfig.parse(
                base("mode", "remote", "conn_method", "password", "conn_password", "s3cr3t", "newid", "x", "pool", "!")));
        String m = e.getMessage();
        assertTrue(m.contains("conn_username") && m.contains("newid") && m.contains("pool"), m);
        assertFalse(m.contains("s3cr3t"), m);
    }

    @Test
    void missingMode() {
        Map<String, String> m = new HashMap<>(Map.of("location", "proxmox+backup://x"));
        ConnectorException e = assertThrows(ConnectorException.class, () -> ProxmoxExporterConfig.parse(m));
        assertTrue(e.getMessage().contains("mode: is required"), e.getMessage());
    }

    @Test
    void remoteModeBuildsSshSettings() throws Exception {
        var c = ProxmoxExporterConfig.parse(base("mode", "remote", "conn_username", "root", "conn_method", "password",
                "conn_password", "pw", "conn_port", "2222", "ssh_insecure_ignore_host_key", "true"));
        assertEquals("pve1", c.shared().sshSettings().host());
        assertEquals(2222, c.shared().sshSettings().port());
    }
}
