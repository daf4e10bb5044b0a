package io.plakar.pve.runner;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LocalRunnerTest {

    /** An answer cut at the capture cap could still parse: it is refused instead. */
    @Test
    void outputOverTheCaptureCapFails() {
        LocalRunner r = new LocalRunner();
        IOException e = assertThrows(IOException.class,
                () -> r.run(List.of("head", "-c", Long.toString(17L << 20), "/dev/zero"), Duration.ofSeconds(60)));
        assertTrue(e.getMessage().contains("more than 16 MiB"), e.getMessage());
    }

    /**
     * kill() sends TERM and waits: a tool that cleans up on TERM (here: writes a file, then
     * exits) finishes its cleanup; KILL comes only for one that ignores TERM past the grace.
     */
    @Test
    void killIsTermThenGraceThenKill(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path cleaned = dir.resolve("cleaned");
        String script = "trap 'sleep 0.3; echo done > " + cleaned + "; exit 143' TERM; echo started; "
                + "while :; do sleep 0.05; done";
        LocalRunner r = new LocalRunner(Map.of(), Duration.ofSeconds(30));
        RunningCommand c = r.start(List.of("sh", "-c", script), Runner.LineListener.IGNORE);
        c.stdout().read(new byte[8]); // "started": the trap is installed
        c.kill();
        assertFalse(c.isAlive());
        assertEquals("done", Files.readString(cleaned).strip(), "TERM let the tool finish its cleanup");

        LocalRunner impatient = new LocalRunner(Map.of(), Duration.ofMillis(300));
        RunningCommand stubborn = impatient.start(List.of("sh", "-c", "trap '' TERM; echo started; while :; do sleep 0.05; done"),
                Runner.LineListener.IGNORE);
        stubborn.stdout().read(new byte[8]);
        long t0 = System.nanoTime();
        stubborn.kill();
        assertFalse(stubborn.isAlive(), "a tool ignoring TERM is killed after the grace");
        assertTrue(System.nanoTime() - t0 >= 250_000_000L, "KILL came only after the grace");
    }
}
