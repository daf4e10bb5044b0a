package io.plakar.pve.exporter;

import io.plakar.pve.runner.CommandResult;

import java.util.ArrayList;
import java.util.List;

/** The restore tool's last error lines, for a result a user can act on. */
final class ToolErrors {
    private static final int KEEP = 4;

    private ToolErrors() {
    }

    static String of(CommandResult r) {
        return of(r.stderr(), r.stdout(), r.exitStatus());
    }

    static String of(String stderr, String stdout, int status) {
        List<String> lines = lastLines(stderr, KEEP);
        // qmrestore's in-task epilogue ("... state is NOT cleaned up") goes to stdout
        for (String l : stdout.split("\n")) {
            if (l.contains("NOT cleaned up") && !lines.contains(l.strip())) {
                lines.add(l.strip());
            }
        }
        if (lines.isEmpty()) {
            lines = lastLines(stdout, KEEP);
        }
        String text = lines.isEmpty() ? "no output" : String.join(" | ", lines);
        return (status == -1 ? "killed or connection lost" : "exit status " + status) + ": " + text;
    }

    static List<String> lastLines(String text, int n) {
        List<String> all = new ArrayList<>();
        for (String l : text.split("\n")) {
            if (!l.isBlank()) {
                all.add(l.strip());
            }
        }
        return new ArrayList<>(all.subList(Math.max(0, all.size() - n), all.size()));
    }
}
