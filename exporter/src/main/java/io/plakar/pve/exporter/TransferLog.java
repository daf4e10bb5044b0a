package io.plakar.pve.exporter;

import io.plakar.pve.proxmox.Sizes;
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
        LOG.info("{}: start ({}, {})", what, how, size >= 0 ? Sizes.human(size) : "size unknown");
    }

    static void ended(String what, long bytes, long nanos, String error) {
        double secs = Math.max(nanos, 1) / 1e9;
        String rate = String.format(Locale.ROOT, "%.1f MB/s", bytes / 1e6 / secs);
        if (error == null) {
            LOG.info("{}: done, {} in {} ({})", what, Sizes.human(bytes), String.format(Locale.ROOT, "%.1fs", secs), rate);
        } else {
            // failure paths do not always know how much was transferred: say nothing rather than "0 B"
            LOG.error("{}: FAILED after {}{}: {}", what, String.format(Locale.ROOT, "%.1fs", secs),
                    bytes > 0 ? " (" + Sizes.human(bytes) + " transferred)" : "", error);
        }
    }
}
