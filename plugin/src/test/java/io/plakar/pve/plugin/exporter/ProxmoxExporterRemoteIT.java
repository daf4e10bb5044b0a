package io.plakar.pve.plugin.exporter;

import io.plakar.pve.testkit.host.ExportItem;
import io.plakar.pve.testkit.sim.SimulatedCluster;
import io.plakar.pve.testkit.sim.LoopbackSshd;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.plakar.pve.plugin.exporter.ExporterFixture.*;
import static org.junit.jupiter.api.Assertions.*;

/** The packaged proxmoxExporter in mode=remote through a real sshd on 127.0.0.1 running the simulator. */
class ProxmoxExporterRemoteIT {
    private SimulatedCluster node;
    private LoopbackSshd sshd;
    private Path dumpDir;

    @BeforeEach
    void setUp() throws Exception {
        node = SimulatedCluster.create();
        sshd = LoopbackSshd.start(node);
        dumpDir = node.newDumpDir("remote");
    }

    @AfterEach
    void tearDown() {
        sshd.close();
        node.close();
    }

    private Map<String, String> remote(String... kv) {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("location", "proxmox+backup://127.0.0.1");
        c.put("mode", "remote");
        c.put("conn_username", sshd.username());
        c.put("conn_port", Integer.toString(sshd.port()));
        if (sshd.password() != null) {
            c.put("conn_method", "password");
            c.put("conn_password", sshd.password());
        } else {
            c.put("conn_method", "identity");
            c.put("conn_identity_file", sshd.identityFile().toString());
        }
        c.put("ssh_known_hosts", sshd.knownHostsFile().toString());
        c.put("node", node.localNode());
        c.put("dump_dir", dumpDir.toString());
        for (int i = 0; i < kv.length; i += 2) {
            c.put(kv[i], kv[i + 1]);
        }
        return c;
    }

    @Test
    void vmAndCtStagedOverSshAndOneVmStreamed() throws Exception {
        byte[] vm = vzdump(node, 100, "zstd");
        byte[] ct = vzdump(node, 101, "gzip");
        node.removeGuest(100).removeGuest(101);
        // a file already holding the dump's canonical name in dump_dir is never touched: staging is private
        Path squatter = dumpDir.resolve(name("qemu", 100, "vma.zst"));
        Files.writeString(squatter, "not yours");
        String vmPath = "/" + name("qemu", 100, "vma.zst");
        String ctPath = "/" + name("lxc", 101, "tar.gz");
        Run run = export(node, remote(), List.of(ExportItem.directory("/"), file(ctPath, ct), file(vmPath, vm)));
        assertEquals("", run.error(vmPath), run.stderr());
        assertEquals("", run.error(ctPath), run.stderr());
        assertEquals("not yours", Files.readString(squatter));
        assertEquals(List.of(squatter), node.listDumpDir(dumpDir), "only the squatter is left: staged files were cleaned up");
        String qm = String.join(" ", node.auditArgv("qmrestore").get(0));
        assertTrue(qm.matches(".* " + java.util.regex.Pattern.quote(dumpDir.toString())
                + "/\\.plakar-[0-9a-f]{16}/vzdump-qemu-100-2026_02_10-02_00_00\\.vma\\.zst 100"), qm);
        assertEquals(sha256(uncompressed(vm, "zstd")), restoresFor(node, 100).get(0).get("sha256_uncompressed"));
        assertEquals(sha256(uncompressed(ct, "gzip")), restoresFor(node, 101).get(0).get("sha256_uncompressed"));

        node.removeGuest(100);
        Run streamed = export(node, remote("restore_transport", "stream", "cleanup", "false"), List.of(file(vmPath, vm)));
        assertEquals("", streamed.error(vmPath), streamed.stderr());
        List<Map<String, Object>> r = restoresFor(node, 100);
        assertEquals("-", r.get(r.size() - 1).get("archive"));
        assertEquals(sha256(uncompressed(vm, "zstd")), r.get(r.size() - 1).get("sha256_uncompressed"));
        assertEquals(List.of(squatter), node.listDumpDir(dumpDir), "streaming stages nothing");
    }

    @Test
    void failedRestoreOverSshCleansUpTheStagedFile() throws Exception {
        byte[] vm = vzdump(node, 100, "0");
        node.removeGuest(100);
        node.fault("qmrestore", 100, "fail_after_bytes", "bytes", 1024);
        String vmPath = "/" + name("qemu", 100, "vma");
        Run run = export(node, remote(), List.of(file(vmPath, vm)));
        assertFalse(run.error(vmPath).isEmpty());
        assertTrue(node.listDumpDir(dumpDir).isEmpty());
    }
}
