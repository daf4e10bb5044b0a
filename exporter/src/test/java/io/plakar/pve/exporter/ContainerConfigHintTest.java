package io.plakar.pve.exporter;

import io.plakar.pve.proxmox.Compression;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class ContainerConfigHintTest {

    /** vzdump's own tar flags: --acls/--xattrs make GNU tar write a pax header before pct.conf. */
    @Test
    void readsPctConfBehindThePaxHeaderOfARealGnuTarArchive(@TempDir Path dir) throws Exception {
        Path conf = dir.resolve("etc/vzdump/pct.conf");
        Files.createDirectories(conf.getParent());
        Files.writeString(conf, "arch: amd64\nhostname: dns01\nrootfs: fast-zfs:subvol-105-disk-0,size=8G\n"
                + "[vzdump]\nrootfs: other:subvol-105-disk-0\n");
        Files.writeString(dir.resolve("etc/hostname"), "dns01\n");
        ProcessBuilder pb = new ProcessBuilder(List.of("tar", "cpf", "-", "--one-file-system", "-p", "--sparse",
                "--numeric-owner", "--acls", "--xattrs", "--xattrs-include=user.*",
                "--xattrs-include=security.capability", "--warning=no-file-ignored", "--warning=no-xattr-write",
                "./etc/vzdump/pct.conf", "./etc")).directory(dir.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD);
        Process p;
        try {
            p = pb.start();
        } catch (java.io.IOException e) {
            assumeTrue(false, "GNU tar is not installed: " + e.getMessage());
            return;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        p.getInputStream().transferTo(out);
        assumeTrue(p.waitFor() == 0, "tar does not take vzdump's flags here (not GNU tar?)");
        byte[] archive = out.toByteArray();
        String firstName = new String(archive, 0, 100, java.nio.charset.StandardCharsets.US_ASCII);
        assertTrue(firstName.contains("PaxHeaders"), "the archive must start with a pax header, as vzdump's do: " + firstName);
        assertEquals(Optional.of("fast-zfs"), ContainerConfigHint.rootfsStorage(archive, archive.length, Compression.NONE));
    }

    @Test
    void onlyTheCurrentConfigCounts() {
        assertEquals(Optional.of("local-lvm"), ContainerConfigHint.rootfsStorage("rootfs: local-lvm:vm-1-disk-0\n"));
        assertEquals(Optional.empty(), ContainerConfigHint.rootfsStorage("[snap]\nrootfs: local-lvm:vm-1-disk-0\n"));
        assertEquals(Optional.empty(), ContainerConfigHint.rootfsStorage("rootfs: /srv/bind\n"));
    }
}
