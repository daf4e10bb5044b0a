package io.plakar.pve.exporter;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Restore drill settings ({@code drill=true}): each dump is restored under a free VMID of
 * {@code range}, into {@code pool}, kept off the network, optionally booted, and destroyed.
 */
record DrillOptions(boolean enabled, VmidRange range, String pool, Optional<String> storage, boolean boot,
                    Duration timeout, Duration settle, Duration pollInterval, Optional<Path> report) {
    static final String TAG = "plakar-drill";
    static final VmidRange DEFAULT_RANGE = new VmidRange(9900, 9999);
    static final String DEFAULT_POOL = "plakar-drill";
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(300);
    static final Duration DEFAULT_SETTLE = Duration.ofSeconds(10);
    static final Duration DEFAULT_POLL = Duration.ofSeconds(2);

    static final DrillOptions OFF = new DrillOptions(false, DEFAULT_RANGE, DEFAULT_POOL, Optional.empty(), false,
            DEFAULT_TIMEOUT, DEFAULT_SETTLE, DEFAULT_POLL, Optional.empty());
}
