package io.plakar.pve.tools.measure;

import java.nio.file.Files;
import java.nio.file.Path;

/** Polls a process's peak resident set (VmHWM) while a test runs. */
public final class RssSampler {
    private final long pid;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile long peak;

    private RssSampler(long pid) {
        this.pid = pid;
        this.thread = new Thread(this::loop, "rss-sampler");
        thread.setDaemon(true);
    }

    public static RssSampler start(long pid) {
        RssSampler s = new RssSampler(pid);
        s.thread.start();
        return s;
    }

    /** VmHWM of the process and of its JVM child (the launcher execs, so it is the same pid). */
    public static long peakBytes(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (Exception ignored) {
            // process gone
        }
        return 0;
    }

    private void loop() {
        while (running) {
            peak = Math.max(peak, peakBytes(pid));
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    public long stop() {
        running = false;
        peak = Math.max(peak, peakBytes(pid));
        return peak;
    }
}
