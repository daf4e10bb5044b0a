package io.plakar.pve.exporter;

import io.plakar.pve.proxmox.Compression;
import io.plakar.pve.proxmox.GuestType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.*;

class SnapshotLayoutTest {
    private static final String VMA = "vzdump-qemu-101-2026_02_10-02_00_00.vma.zst";

    @Test
    void canonicalDumpAtTheRoot() {
        var e = (SnapshotEntry.Dump) SnapshotLayout.classify("/" + VMA, false);
        assertEquals(GuestType.QEMU, e.name().type());
        assertEquals(101, e.name().vmid());
        assertEquals(Compression.ZSTD, e.name().compression());
        assertFalse(e.referenceLayout());
    }

    @ParameterizedTest
    @ValueSource(strings = {"vma", "vma.gz", "vma.lzo", "vma.zst", "vma.bz2"})
    void everyVmaExtension(String ext) {
        assertInstanceOf(SnapshotEntry.Dump.class, SnapshotLayout.classify("/vzdump-qemu-100-2026_02_10-02_00_00." + ext, false));
    }

    @ParameterizedTest
    @ValueSource(strings = {"tar", "tar.gz", "tar.lzo", "tar.zst", "tar.bz2", "tgz"})
    void everyTarExtension(String ext) {
        var e = (SnapshotEntry.Dump) SnapshotLayout.classify("/vzdump-lxc-100-2026_02_10-02_00_00." + ext, false);
        assertEquals(GuestType.LXC, e.name().type());
        // the staged name is always canonical: .tgz becomes .tar.gz (pct rejects .tgz)
        assertFalse(io.plakar.pve.proxmox.DumpName.of(e.name().type(), e.name().vmid(), e.name().time(),
                e.name().compression()).fileName().endsWith(".tgz"));
    }

    @Test
    void versionedNames() {
        var e = (SnapshotEntry.Dump) SnapshotLayout.classify("/vzdump-v1-lxc-200-2026_02_10-02_00_00.tar.zst", false);
        assertEquals(200, e.name().vmid());
    }

    @Test
    void referenceLayoutAndItsSidecars() {
        String dir = "/backup/qemu/101_web01";
        var d = (SnapshotEntry.Dump) SnapshotLayout.classify(dir + "/" + VMA, false);
        assertTrue(d.referenceLayout());
        assertEquals(dir, d.directory());
        for (var k : new String[][]{{"_pool.conf", "POOL"}, {"_qemu.conf", "QEMU_CONF"}, {"_lxc.conf", "LXC_CONF"}}) {
            var s = (SnapshotEntry.Sidecar) SnapshotLayout.classify(dir + "/" + VMA + k[0], false);
            assertEquals(VMA, s.dumpBaseName());
            assertEquals(k[1], s.kind().name());
        }
        // relative to a selected guest directory, a dump sits at the root
        assertFalse(((SnapshotEntry.Dump) SnapshotLayout.classify("/" + VMA, false)).referenceLayout());
    }

    @Test
    void directoriesAndOtherFilesAreSkipped() {
        assertInstanceOf(SnapshotEntry.Skip.class, SnapshotLayout.classify("/", true));
        assertInstanceOf(SnapshotEntry.Skip.class, SnapshotLayout.classify("/backup/qemu", true));
        assertInstanceOf(SnapshotEntry.Skip.class, SnapshotLayout.classify("/notes.txt", false));
        assertInstanceOf(SnapshotEntry.Skip.class, SnapshotLayout.classify("/vzdump-qemu-101-2026_02_10-02_00_00.log", false));
        assertInstanceOf(SnapshotEntry.Skip.class, SnapshotLayout.classify("/vzdump-qemu-101-2026_02_10-02_00_00.vma.xz", false));
        assertInstanceOf(SnapshotEntry.Skip.class, SnapshotLayout.classify("/vzdump-lxc-101-2026_02_10-02_00_00.vma", false));
        assertInstanceOf(SnapshotEntry.Skip.class, SnapshotLayout.classify("/vzdump-qemu-99-2026_02_10-02_00_00.vma", false));
        assertInstanceOf(SnapshotEntry.Skip.class, SnapshotLayout.classify("/x_pool.conf", false));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "/../" + VMA, "/a/../../" + VMA, "/./" + VMA, "//" + VMA, "relative/" + VMA,
            "/a\u0000b/" + VMA, "/a\nb/" + VMA, "/a\\..\\" + VMA,
            "/backup/qemu/102_web/" + VMA, "/backup/lxc/101_web/" + VMA, "/101_web/vzdump-qemu-102-2026_02_10-02_00_00.vma",
    })
    void hostilePathsAreRefused(String path) {
        assertInstanceOf(SnapshotEntry.Refused.class, SnapshotLayout.classify(path, false), path);
    }

    @Test
    void overlongPathsAreRefused() {
        assertInstanceOf(SnapshotEntry.Refused.class, SnapshotLayout.classify("/" + "a".repeat(256) + "/" + VMA, false));
        assertInstanceOf(SnapshotEntry.Refused.class, SnapshotLayout.classify("/a".repeat(2100) + "/" + VMA, false));
        assertInstanceOf(SnapshotEntry.Skip.class, SnapshotLayout.classify("/" + "v".repeat(255), false));
    }

    @Test
    void refusalMessagesEscapeControlCharacters() {
        var r = (SnapshotEntry.Refused) SnapshotLayout.classify("/a\u0000b", false);
        assertEquals("/a\\x00b", r.path());
    }
}
