package io.plakar.pve.exporter;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Locale;

/** One stderr line when a guest's restore starts and one when it ends (size, duration, MB/s). */
final class TransferLog {
    private static final Logger LOG = LoggerFactory.getLogger("proxmox+backup exporter");

    private TransferLog() {
    }

    static Logger log() {
        return LOG;
    }

    static void started(String what, long size, String how) {
        LOG.info("{}: start ({}, {})", what, how, size >= 0 ? human(size) : "size unknown");
    }

    static void ended(String what, long bytes, long nanos, String error) {
        double secs = Math.max(nanos, 1) / 1e9;
        String rate = String.format(Locale.ROOT, "%.1f MB/s", bytes / 1e6 / secs);
        if (error == null) {
            LOG.info("{}: done, {} in {} ({})", what, human(bytes), String.format(Locale.ROOT, "%.1fs", secs), rate);
        } else {
            // failure paths do not always know how much was transferred: say nothing rather than "0 B"
            LOG.error("{}: FAILED after {}{}: {}", what, String.format(Locale.ROOT, "%.1fs", secs),
                    bytes > 0 ? " (" + human(bytes) + " transferred)" : "", error);
        }
    }

    static String human(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String[] u = {"KiB", "MiB", "GiB", "TiB"};
        double v = n;
        int i = -1;
        while (v >= 1024 && i < u.length - 1) {
            v /= 1024;
            i++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, u[i]);
    }
}
