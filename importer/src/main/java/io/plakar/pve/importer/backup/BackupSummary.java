package io.plakar.pve.importer.backup;

import io.plakar.pve.proxmox.Sizes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/** The closing stderr lines of a backup: what was dumped, what failed, how fast. */
final class BackupSummary {
    private static final Logger LOG = LoggerFactory.getLogger("summary");
    private final long startNanos = System.nanoTime();
    private final List<StartedDump> dumps = new ArrayList<>();
    private final List<String> failed = new ArrayList<>();

    synchronized void started(StartedDump d) {
        dumps.add(d);
    }

    synchronized void failed(String what) {
        failed.add(what);
    }

    synchronized void log() {
        if (dumps.isEmpty() && failed.isEmpty()) {
            return;
        }
        long bytes = 0;
        int ok = 0;
        List<String> notComplete = new ArrayList<>(failed);
        for (StartedDump d : dumps) {
            bytes += d.stream().bytes();
            if (d.stream().succeeded()) {
                ok++;
            } else {
                notComplete.add(d.guest().describe() + " (stream failed or was not read to the end)");
            }
        }
        double secs = Math.max((System.nanoTime() - startNanos) / 1e9, 1e-6);
        LOG.info("backup summary: {} of {} guests dumped completely, {} streamed in {} s ({} MB/s)",
                ok, ok + notComplete.size(), Sizes.human(bytes), String.format("%.1f", secs),
                String.format("%.1f", bytes / secs / 1e6));
        for (String f : notComplete) {
            LOG.error("backup summary: NOT backed up: {}", f);
        }
    }
}
