package io.plakar.pve.runner;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class BoundedLineReaderTest {
    @Test
    void splitsLinesAndBoundsALongOne() throws Exception {
        String huge = "x".repeat(1 << 20);
        BoundedLineReader r = new BoundedLineReader(new ByteArrayInputStream(
                ("INFO: one\r\n" + huge + "\nlast").getBytes(StandardCharsets.UTF_8)));
        assertEquals("INFO: one", r.readLine());
        String cut = r.readLine();
        assertEquals(BoundedLineReader.MAX_LINE + 1, cut.length());
        assertEquals('…', cut.charAt(cut.length() - 1));
        assertEquals("last", r.readLine());
        assertNull(r.readLine());
    }
}
