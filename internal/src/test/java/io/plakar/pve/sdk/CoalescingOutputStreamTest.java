package io.plakar.pve.sdk;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CoalescingOutputStreamTest {
    /** Records each write the pipe receives. */
    static final class Pipe extends OutputStream {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final List<Integer> writes = new ArrayList<>();
        int flushes;
        boolean closed;

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            writes.add(len);
            bytes.write(b, off, len);
        }

        @Override
        public void flush() {
            flushes++;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    @Test
    void smallWritesReachThePipeAsOneWriteOnFlushInOrder() throws IOException {
        Pipe pipe = new Pipe();
        CoalescingOutputStream out = new CoalescingOutputStream(pipe, 64);
        out.write(new byte[] {1, 2, 3}, 0, 3);
        out.write(4);
        out.write(new byte[] {9, 5, 6, 9}, 1, 2);
        assertTrue(pipe.writes.isEmpty(), "nothing written before a flush or a full buffer");
        out.flush();
        assertEquals(List.of(6), pipe.writes);
        assertEquals(1, pipe.flushes);
        assertArrayEquals(new byte[] {1, 2, 3, 4, 5, 6}, pipe.bytes.toByteArray());
    }

    @Test
    void everyByteArrivesInOrderWhateverTheWriteSizes() throws IOException {
        Pipe pipe = new Pipe();
        CoalescingOutputStream out = new CoalescingOutputStream(pipe, 100);
        Random r = new Random(42);
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        for (int i = 0; i < 2000; i++) {
            byte[] b = new byte[r.nextInt(250)];
            r.nextBytes(b);
            expected.write(b, 0, b.length);
            out.write(b, 0, b.length);
            if (r.nextInt(10) == 0) {
                out.flush();
            }
        }
        out.flush();
        assertArrayEquals(expected.toByteArray(), pipe.bytes.toByteArray());
        assertTrue(pipe.writes.stream().allMatch(n -> n > 0), "no empty write");
    }

    @Test
    void aWriteOfAFullBufferOrMoreGoesStraightThroughAfterWhatWasPending() throws IOException {
        Pipe pipe = new Pipe();
        CoalescingOutputStream out = new CoalescingOutputStream(pipe, 8);
        out.write(new byte[] {1, 2}, 0, 2);
        out.write(new byte[10], 0, 10);
        assertEquals(List.of(2, 10), pipe.writes);
    }

    @Test
    void closeClosesThePipe() throws IOException {
        Pipe pipe = new Pipe();
        new CoalescingOutputStream(pipe, 8).close();
        assertTrue(pipe.closed);
    }
}
