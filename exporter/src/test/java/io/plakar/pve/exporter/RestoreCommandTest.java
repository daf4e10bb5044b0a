package io.plakar.pve.exporter;

import io.plakar.pve.proxmox.Compression;
import io.plakar.pve.proxmox.GuestType;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.*;

class RestoreCommandTest {

    static ProxmoxExporterConfig.RestoreOptions options(Optional<String> storage, boolean unique, OptionalLong bw) {
        return new ProxmoxExporterConfig.RestoreOptions(OptionalInt.empty(), storage, Optional.empty(), unique, false,
                false, bw, ProxmoxExporterConfig.RestoreTransport.STAGE, Duration.ofMinutes(3));
    }

    @Test
    void qmrestoreTakesTheArchiveFirstAndForcesOnlyAnOverwrite() {
        var c = new RestoreCommand(GuestType.QEMU, "/d/x.vma.zst", 201, true, Optional.of("prod"),
                options(Optional.of("local-lvm"), true, OptionalLong.of(10240)));
        assertEquals(List.of("qmrestore", "/d/x.vma.zst", "201", "--force", "1", "--storage", "local-lvm",
                "--pool", "prod", "--unique", "1", "--bwlimit", "10240"), c.argv());
    }

    @Test
    void pctRestoreTakesTheVmidFirstAndLeavesProxmoxsCheckOn() {
        var c = new RestoreCommand(GuestType.LXC, "/d/x.tar.zst", 300, false, Optional.empty(),
                options(Optional.empty(), false, OptionalLong.empty()));
        assertEquals(List.of("pct", "restore", "300", "/d/x.tar.zst"), c.argv());
        assertEquals(List.of("pct", "restore", "300", "/d/x.tar.zst", "--storage", "fast"), c.withStorage("fast").argv());
    }

    @Test
    void containerHintReadsRootfsStorageFromTheFirstTarMember() throws Exception {
        String conf = "arch: amd64\nrootfs: fast-zfs:subvol-101-disk-0,size=8G\n[snap]\nrootfs: old:x\n";
        byte[] tar = tar("./etc/vzdump/pct.conf", conf.getBytes(StandardCharsets.UTF_8));
        assertEquals(Optional.of("fast-zfs"), ContainerConfigHint.rootfsStorage(tar, tar.length, Compression.NONE));
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream g = new GZIPOutputStream(gz)) {
            g.write(tar);
        }
        byte[] z = gz.toByteArray();
        assertEquals(Optional.of("fast-zfs"), ContainerConfigHint.rootfsStorage(z, z.length, Compression.GZIP));
        assertEquals(Optional.empty(), ContainerConfigHint.rootfsStorage(z, z.length, Compression.LZO));
        byte[] other = tar("./etc/passwd", conf.getBytes(StandardCharsets.UTF_8));
        assertEquals(Optional.empty(), ContainerConfigHint.rootfsStorage(other, other.length, Compression.NONE));
        assertEquals(Optional.empty(), ContainerConfigHint.rootfsStorage("rootfs: /mnt/bind,size=1G\n"));
    }

    private static byte[] tar(String name, byte[] content) {
        byte[] h = new byte[512];
        System.arraycopy(name.getBytes(StandardCharsets.US_ASCII), 0, h, 0, name.length());
        byte[] size = String.format("%011o", content.length).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(size, 0, h, 124, size.length);
        java.util.Arrays.fill(h, 148, 156, (byte) ' ');
        int sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        byte[] chk = String.format("%06o\0 ", sum).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(chk, 0, h, 148, chk.length);
        byte[] out = new byte[512 + ((content.length + 511) / 512) * 512 + 1024];
        System.arraycopy(h, 0, out, 0, 512);
        System.arraycopy(content, 0, out, 512, content.length);
        return out;
    }
}
