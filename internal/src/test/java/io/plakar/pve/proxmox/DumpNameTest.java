package io.plakar.pve.proxmox;

import org.junit.jupiter.api.Test;

import java.time.LocalDateTime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DumpNameTest {
    private static final LocalDateTime T = LocalDateTime.of(2026, 2, 10, 2, 0, 0);

    @Test
    void namesAsVzdumpWritesThem() {
        DumpName vm = DumpName.of(GuestType.QEMU, 101, T, Compression.ZSTD);
        assertEquals("vzdump-qemu-101-2026_02_10-02_00_00.vma.zst", vm.fileName());
        assertEquals("vzdump-qemu-101-2026_02_10-02_00_00.log", vm.logFileName());
        assertEquals("vzdump-lxc-105-2026_02_10-02_00_00.tar", DumpName.of(GuestType.LXC, 105, T, Compression.NONE).fileName());
        assertEquals("vzdump-qemu-101-2026_02_10-02_00_01.vma.zst", vm.nextSecond().fileName());
    }

    @Test
    void parsesWhatItWritesAndTheVersionedNames() {
        for (String n : new String[] {"vzdump-qemu-101-2026_02_10-02_00_00.vma", "vzdump-lxc-105-2026_02_10-02_00_00.tar.gz",
                "vzdump-lxc-105-2026_02_10-02_00_00.tgz", "vzdump-qemu-101-2026_02_10-02_00_00.vma.lzo"}) {
            assertEquals(n, DumpName.parse(n).orElseThrow().fileName());
        }
        DumpName v1 = DumpName.parse("vzdump-v1-qemu-101-2026_02_10-02_00_00.vma.zst").orElseThrow();
        assertEquals(101, v1.vmid());
        assertEquals(Compression.ZSTD, v1.compression());
    }

    @Test
    void refusesNamesThatContradictThemselves() {
        assertTrue(DumpName.parse("vzdump-lxc-105-2026_02_10-02_00_00.vma").isEmpty(), "a container is never a VMA");
        assertTrue(DumpName.parse("vzdump-qemu-101-2026_02_10-02_00_00.tar").isEmpty(), "a VM is never a tar");
        assertTrue(DumpName.parse("vzdump-qemu-101-2026_02_10-02_00_00.tgz").isEmpty());
        assertTrue(DumpName.parse("vzdump-qemu-99-2026_02_10-02_00_00.vma").isEmpty(), "VMIDs start at 100");
        assertTrue(DumpName.parse("vzdump-qemu-101-2026_13_10-02_00_00.vma").isEmpty(), "no 13th month");
        assertTrue(DumpName.parse("../vzdump-qemu-101-2026_02_10-02_00_00.vma").isEmpty());
    }

    @Test
    void failedRecordPaths() {
        assertEquals("/vzdump-qemu-101", DumpName.failedRecordPath(GuestType.QEMU, 101));
        assertEquals("/vzdump-lxc-105", DumpName.failedRecordPath(GuestType.LXC, 105));
        assertEquals("/vzdump-107", DumpName.failedRecordPath(null, 107));
    }
}
