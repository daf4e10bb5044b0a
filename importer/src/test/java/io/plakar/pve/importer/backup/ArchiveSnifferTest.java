package io.plakar.pve.importer.backup;

import io.plakar.pve.proxmox.Compression;
import io.plakar.pve.proxmox.GuestType;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ArchiveSnifferTest {
    static byte[] head(byte... start) {
        byte[] b = new byte[ArchiveSniffer.HEAD_BYTES];
        System.arraycopy(start, 0, b, 0, start.length);
        return b;
    }

    @Test
    void compressedStreamsByMagic() throws Exception {
        assertEquals(Compression.ZSTD, ArchiveSniffer.sniff(GuestType.QEMU, head((byte) 0x28, (byte) 0xb5, (byte) 0x2f, (byte) 0xfd), 263));
        assertEquals(Compression.GZIP, ArchiveSniffer.sniff(GuestType.LXC, head((byte) 0x1f, (byte) 0x8b, (byte) 8), 263));
        assertEquals(Compression.LZO, ArchiveSniffer.sniff(GuestType.LXC,
                head((byte) 0x89, (byte) 'L', (byte) 'Z', (byte) 'O', (byte) 0, (byte) '\r', (byte) '\n', (byte) 0x1a, (byte) '\n'), 9));
    }

    @Test
    void uncompressedByFormat() throws Exception {
        assertEquals(Compression.NONE, ArchiveSniffer.sniff(GuestType.QEMU, head((byte) 'V', (byte) 'M', (byte) 'A', (byte) 0), 263));
        byte[] tar = head("./etc/vzdump/pct.conf".getBytes(StandardCharsets.US_ASCII));
        System.arraycopy("ustar  \0".getBytes(StandardCharsets.US_ASCII), 0, tar, 257, 6);
        assertEquals(Compression.NONE, ArchiveSniffer.sniff(GuestType.LXC, tar, 263));
    }

    @Test
    void anythingElseIsAnErrorNotAGuess() {
        byte[] tar = head();
        System.arraycopy("ustar".getBytes(StandardCharsets.US_ASCII), 0, tar, 257, 5);
        IOException e = assertThrows(IOException.class, () -> ArchiveSniffer.sniff(GuestType.QEMU, tar, 263));
        assertTrue(e.getMessage().contains("VMA"), e.getMessage());
        assertThrows(IOException.class, () -> ArchiveSniffer.sniff(GuestType.LXC, head((byte) 'V', (byte) 'M', (byte) 'A', (byte) 0), 263));
        assertThrows(IOException.class, () -> ArchiveSniffer.sniff(GuestType.LXC, head("BZh9".getBytes(StandardCharsets.US_ASCII)), 263));
        IOException shortTar = assertThrows(IOException.class, () -> ArchiveSniffer.sniff(GuestType.LXC, head((byte) '.'), 100));
        assertTrue(shortTar.getMessage().contains("ended after 100 bytes"), shortTar.getMessage());
    }

    @Test
    void readHeadStopsAtEndOfStream() throws Exception {
        byte[] buf = new byte[ArchiveSniffer.HEAD_BYTES];
        assertEquals(5, ArchiveSniffer.readHead(new ByteArrayInputStream(new byte[5]), buf));
        assertEquals(263, ArchiveSniffer.readHead(new ByteArrayInputStream(new byte[1000]), buf));
    }
}
