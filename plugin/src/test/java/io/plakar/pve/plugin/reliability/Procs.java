package io.plakar.pve.plugin.reliability;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/** Child processes left behind, read from /proc. */
final class Procs {
    private Procs() {
    }

    /** Every descendant of {@code pid} as "pid comm: cmdline". */
    static List<String> descendants(long pid) {
        List<String> out = new ArrayList<>();
        ProcessHandle.of(pid).ifPresent(h -> h.descendants().filter(ProcessHandle::isAlive)
                .forEach(d -> out.add(describe(d.pid()))));
        out.removeIf(s -> s.contains(" <gone>"));
        return out;
    }

    /** Descendants of an sshd that are not sshd itself: commands of sessions (vzdump, cat, sh…). */
    static List<String> sessionCommands(long sshdPid) {
        List<String> out = new ArrayList<>();
        for (String d : descendants(sshdPid)) {
            String comm = d.substring(d.indexOf(' ') + 1, d.indexOf(':'));
            if (!comm.startsWith("sshd")) {
                out.add(d);
            }
        }
        return out;
    }

    static String describe(long pid) {
        try {
            String comm = Files.readString(Path.of("/proc/" + pid + "/comm"), StandardCharsets.UTF_8).trim();
            byte[] cmd = Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline"));
            String cmdline = new String(cmd, StandardCharsets.UTF_8).replace('\u0000', ' ').trim();
            return pid + " " + comm + ": " + cmdline;
        } catch (Exception e) {
            return pid + " <gone>:";
        }
    }

    /** Waits until the supplier reports nothing (or the time is up); returns what is left. */
    static List<String> awaitNone(Supplier<List<String>> left, Duration max) {
        long end = System.nanoTime() + max.toNanos();
        List<String> l = left.get();
        while (!l.isEmpty() && System.nanoTime() < end) {
            sleep(100);
            l = left.get();
        }
        return l;
    }

    static int fdCount(long pid) {
        String[] l = Path.of("/proc/" + pid + "/fd").toFile().list();
        return l == null ? -1 : l.length;
    }

    /** A /proc/pid/status field in KiB (VmHWM, VmRSS), 0 when the process is gone. */
    static long statusKiB(long pid, String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (Exception ignored) {
            // gone
        }
        return 0;
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
