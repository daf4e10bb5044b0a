package io.plakar.pve.importer.backup;

import io.plakar.pve.proxmox.Compression;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class VzdumpOptionsTest {
    @Test
    void streamArgvHasPositionalsFirstAndExplicitBooleans() {
        VzdumpOptions o = new VzdumpOptions("snapshot", "zstd", 4, "/var/lib/vz/dump");
        assertEquals(List.of("vzdump", "101", "--stdout", "1", "--mode", "snapshot", "--compress", "zstd", "--zstd", "4",
                "--dumpdir", "/var/lib/vz/dump"), o.streamArgv(101));
    }

    @Test
    void dumpdirArgvNeverPrunes() {
        VzdumpOptions o = new VzdumpOptions("stop", "0", null, "/d");
        assertEquals(List.of("vzdump", "100", "--mode", "stop", "--compress", "0", "--dumpdir", "/d/.plakar-0123456789abcdef", "--remove", "0"),
                o.dumpdirArgv(100, "/d/.plakar-0123456789abcdef"));
    }

    @Test
    void compressOneIsLzo() {
        assertEquals(Compression.LZO, new VzdumpOptions("snapshot", "1", null, "/d").expectedCompression());
        assertEquals(Compression.NONE, new VzdumpOptions("snapshot", "0", null, "/d").expectedCompression());
        assertThrows(IllegalArgumentException.class, () -> new VzdumpOptions("snapshot", "bzip2", null, "/d"));
    }
}
