package io.plakar.pve.importer.backup;

import java.util.List;

/** Picks the line that explains a vzdump failure out of its last output lines. */
public final class VzdumpErrors {
    private VzdumpErrors() {
    }

    /**
     * The most telling line: the last {@code ERROR:} line (the per-guest reason, e.g.
     * {@code ERROR: Backup of VM 101 failed - unable to find VM '101'}), else the last line
     * that is not an {@code INFO:} progress line (a pre-fork die, {@code job errors}), else the
     * last line; null when there was no output at all.
     */
    public static String lastErrorLine(List<String> lines) {
        String lastNonInfo = null;
        String last = null;
        for (int i = lines.size() - 1; i >= 0; i--) {
            String l = lines.get(i).strip();
            if (l.isEmpty()) {
                continue;
            }
            if (last == null) {
                last = l;
            }
            if (l.startsWith("ERROR:")) {
                return l;
            }
            if (lastNonInfo == null && !l.startsWith("INFO:") && !l.startsWith("WARN:")) {
                lastNonInfo = l;
            }
        }
        return lastNonInfo != null ? lastNonInfo : last;
    }

    /** True when vzdump refused to write the archive to stdout for this guest (fall back to dump_dir). */
    public static boolean refusedStdout(List<String> lines) {
        for (String l : lines) {
            if (l.contains("unable to pipe backup to stdout")
                    || l.contains("cannot use options 'storage' and 'stdout' at the same time")) {
                return true;
            }
        }
        return false;
    }
}
