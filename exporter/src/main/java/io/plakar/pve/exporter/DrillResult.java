package io.plakar.pve.exporter;

import java.time.Instant;
import java.util.Map;

/**
 * The outcome of one dump's drill. {@code guest} is the backed-up guest ("qemu/101"), not the
 * drill copy; {@code phase} names the step that failed (restore, isolate, boot, agent, destroy)
 * and is null on a pass; {@code timings} are seconds; {@code leftover} is what to delete by hand
 * when the drill guest could not be destroyed (else null).
 */
record DrillResult(String guest, String dump, int drillVmid, boolean pass, String phase, String message,
                   Map<String, Double> timings, String leftover, Instant time) {
}
