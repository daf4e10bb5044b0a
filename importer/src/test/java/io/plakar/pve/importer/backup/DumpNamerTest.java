package io.plakar.pve.importer.backup;

import io.plakar.pve.proxmox.Compression;
import io.plakar.pve.proxmox.GuestType;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.ZoneOffset;

import static org.junit.jupiter.api.Assertions.assertEquals;

class DumpNamerTest {
    @Test
    void namesNeverRepeatWithinARun() {
        DumpNamer n = new DumpNamer(ZoneOffset.ofHours(2));
        Instant t = Instant.parse("2024-05-01T10:00:00.300Z");
        assertEquals("vzdump-qemu-100-2024_05_01-12_00_00.vma.zst", n.name(GuestType.QEMU, 100, t, Compression.ZSTD).fileName());
        assertEquals("vzdump-qemu-100-2024_05_01-12_00_01.vma", n.name(GuestType.QEMU, 100, t.plusMillis(500), Compression.NONE).fileName());
        assertEquals("vzdump-lxc-101-2024_05_01-12_00_00.tar.gz", n.name(GuestType.LXC, 101, t, Compression.GZIP).fileName());
    }
}
