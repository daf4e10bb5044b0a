package io.plakar.pve.runner;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Reads text lines from a tool's output with a bound on each line: a tool printing megabytes
 * without a newline (a binary stream on the wrong descriptor) must not exhaust the heap. What
 * exceeds {@link #MAX_LINE} bytes is dropped and the line is marked with "…".
 */
public final class BoundedLineReader {
    public static final int MAX_LINE = 4096;
    private final InputStream in;
    private final byte[] buf = new byte[8192];
    private int pos;
    private int end;

    public BoundedLineReader(InputStream in) {
        this.in = in;
    }

    /** The next line without its terminator, or null at the end of the stream. */
    public String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        boolean cut = false;
        boolean any = false;
        while (true) {
            if (pos == end) {
                end = in.read(buf);
                pos = 0;
                if (end <= 0) {
                    end = 0;
                    return any ? finish(line, cut) : null;
                }
            }
            any = true;
            int start = pos;
            while (pos < end && buf[pos] != '\n') {
                pos++;
            }
            int n = pos - start;
            int room = MAX_LINE - line.size();
            if (n > room) {
                cut = true;
            }
            line.write(buf, start, Math.min(n, Math.max(room, 0)));
            if (pos < end) {
                pos++; // the newline
                return finish(line, cut);
            }
        }
    }

    private static String finish(ByteArrayOutputStream line, boolean cut) {
        String s = line.toString(StandardCharsets.UTF_8);
        if (s.endsWith("\r")) {
            s = s.substring(0, s.length() - 1);
        }
        return cut ? s + "…" : s;
    }
}
