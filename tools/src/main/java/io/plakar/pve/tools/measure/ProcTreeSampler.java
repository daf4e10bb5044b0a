package io.plakar.pve.tools.measure;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * CPU and peak RSS of the processes a command spawns, and the CPU of the command itself, that match a predicate (our plugin's JVM,
 * found among the descendants of plakar by its command line), read from /proc every
 * {@value #POLL_MILLIS} ms while the command runs.
 *
 * <p>CPU is utime + stime + cutime + cstime of {@code /proc/<pid>/stat}: the JVM itself plus every
 * child it has reaped (vzdump, cat, pvesh), that is the plugin's whole process tree. For the root (plakar) only
 * its own utime + stime count. The last reading before a process exits is kept, so each figure
 * misses at most one poll interval of that process's end (no wrapper's getrusage is used: plakar
 * does not always wait for an exporter to exit, so its children times would miss the plugin). Peak RSS is the largest VmHWM seen.
 */
public final class ProcTreeSampler {
    static final long POLL_MILLIS = 20;
    private static final double TICK = 100.0; // USER_HZ on Linux

    private final ProcessHandle root;
    private final Predicate<String> match;
    private final Thread thread;
    private final Map<Long, Long> ticks = new HashMap<>();
    private long rootTicks;
    private volatile boolean running = true;
    private long peakRss;

    private ProcTreeSampler(ProcessHandle root, Predicate<String> match) {
        this.root = root;
        this.match = match;
        this.thread = new Thread(this::loop, "proc-tree-sampler");
        thread.setDaemon(true);
    }

    /** Samples the descendants of {@code root} whose command line satisfies {@code match}. */
    public static ProcTreeSampler start(ProcessHandle root, Predicate<String> match) {
        ProcTreeSampler s = new ProcTreeSampler(root, match);
        s.thread.start();
        return s;
    }

    private void loop() {
        while (running) {
            sample();
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private synchronized void sample() {
        long self = selfTicks(root.pid());
        if (self >= 0) {
            rootTicks = Math.max(rootTicks, self);
        }
        root.descendants().forEach(p -> {
            Optional<String> cmd = p.info().commandLine();
            if (cmd.isEmpty() || !match.test(cmd.get())) {
                return;
            }
            long t = cpuTicks(p.pid());
            if (t >= 0) {
                ticks.merge(p.pid(), t, Math::max);
            }
            peakRss = Math.max(peakRss, RssSampler.peakBytes(p.pid()));
        });
    }

    /** utime + stime + cutime + cstime in clock ticks, or -1 when the process is gone. */
    static long cpuTicks(long pid) {
        return ticks(pid, true);
    }

    /** utime + stime (the process alone) in clock ticks, or -1 when the process is gone. */
    static long selfTicks(long pid) {
        return ticks(pid, false);
    }

    private static long ticks(long pid, boolean children) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            // the command name (field 2) may hold spaces: count fields after its closing parenthesis
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long own = Long.parseLong(f[11]) + Long.parseLong(f[12]);
            return children ? own + Long.parseLong(f[13]) + Long.parseLong(f[14]) : own;
        } catch (Exception e) {
            return -1;
        }
    }

    /** Stops sampling; returns what was seen. */
    public synchronized Usage stop() {
        running = false;
        thread.interrupt();
        long sum = ticks.values().stream().mapToLong(Long::longValue).sum();
        return new Usage(sum / TICK, peakRss, ticks.size(), rootTicks / TICK);
    }

    /**
     * CPU seconds of the matching processes (their reaped children included), their peak RSS, how
     * many there were, and the CPU seconds of the root process alone (its children excluded).
     */
    public record Usage(double cpuSeconds, long peakRssBytes, int processes, double rootCpuSeconds) {
    }
}
