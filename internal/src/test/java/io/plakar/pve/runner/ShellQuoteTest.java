package io.plakar.pve.runner;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ShellQuoteTest {
    private static final String NASTY = "'\"\\$`!*?[]{}()<>|&;~#= \t\n\r%^@,:+-./_\u00e9\u4e2d\uD83D\uDE00\u0001\u007f";

    @Test
    void simpleCases() {
        assertEquals("vzdump 100 --stdout", ShellQuote.join(List.of("vzdump", "100", "--stdout")));
        assertEquals("''", ShellQuote.quote(""));
        assertEquals("'a b'", ShellQuote.quote("a b"));
        assertEquals("'it'\\''s'", ShellQuote.quote("it's"));
        assertEquals("'$(reboot)'", ShellQuote.quote("$(reboot)"));
        assertEquals("'~'", ShellQuote.quote("~"));
        assertThrows(IllegalArgumentException.class, () -> ShellQuote.quote("a\0b"));
        assertThrows(IllegalArgumentException.class, () -> ShellQuote.join(List.of()));
    }

    /** Thousands of random argv elements survive a real /bin/sh byte for byte. */
    @Test
    void roundTripsThroughRealShell() throws Exception {
        Random rnd = new Random(4711);
        List<String> all = new ArrayList<>();
        all.add("");
        all.add("'");
        all.add("''");
        all.add("\\'");
        all.add("\n");
        all.add("-n");
        all.add("-e");
        all.add("%s");
        for (int i = 0; i < 5000; i++) {
            all.add(randomString(rnd));
        }
        for (int from = 0; from < all.size(); from += 500) {
            List<String> batch = all.subList(from, Math.min(all.size(), from + 500));
            List<String> argv = new ArrayList<>();
            argv.add("printf");
            argv.add("%s\\0");
            argv.addAll(batch);
            // the script goes in on stdin as UTF-8: no JVM argv encoding in the way
            String script = ShellQuote.join(argv) + "\n";
            Process p = new ProcessBuilder("/bin/sh", "-s").redirectErrorStream(false).start();
            try (OutputStream in = p.getOutputStream()) {
                in.write(script.getBytes(StandardCharsets.UTF_8));
            }
            byte[] out = p.getInputStream().readAllBytes();
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.waitFor(), err);
            ByteArrayOutputStream expected = new ByteArrayOutputStream();
            for (String s : batch) {
                expected.write(s.getBytes(StandardCharsets.UTF_8));
                expected.write(0);
            }
            if (!java.util.Arrays.equals(expected.toByteArray(), out)) {
                String[] got = new String(out, StandardCharsets.UTF_8).split("\0", -1);
                for (int i = 0; i < batch.size(); i++) {
                    assertEquals(batch.get(i), i < got.length ? got[i] : null, "element " + (from + i));
                }
            }
        }
    }

    private static String randomString(Random rnd) {
        int len = rnd.nextInt(24);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < len; i++) {
            int kind = rnd.nextInt(10);
            if (kind < 5) {
                int cp = NASTY.codePointAt(NASTY.offsetByCodePoints(0, rnd.nextInt(NASTY.codePointCount(0, NASTY.length()))));
                sb.appendCodePoint(cp);
            } else if (kind < 8) {
                sb.append((char) (0x20 + rnd.nextInt(0x5f)));
            } else if (kind < 9) {
                sb.append((char) (1 + rnd.nextInt(0x1f))); // control characters except NUL
            } else {
                int cp;
                do {
                    cp = 0x80 + rnd.nextInt(0x10FFFF - 0x80);
                } while (cp >= 0xD800 && cp <= 0xDFFF);
                sb.appendCodePoint(cp);
            }
        }
        return sb.toString();
    }
}
