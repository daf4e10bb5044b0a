package io.plakar.pve.runner;

import java.util.List;

/** Outcome of a short command. */
public record CommandResult(List<String> argv, int exitStatus, String stdout, String stderr) {

    public boolean ok() {
        return exitStatus == 0;
    }

    /** The last non-blank stderr line (Proxmox tools put the error there), or stdout's, or a placeholder. */
    public String lastErrorLine() {
        String s = lastLine(stderr);
        if (s.isEmpty()) {
            s = lastLine(stdout);
        }
        return s.isEmpty() ? "exit status " + exitStatus + " with no output" : s;
    }

    static String lastLine(String text) {
        String[] lines = text.split("\n");
        for (int i = lines.length - 1; i >= 0; i--) {
            if (!lines[i].isBlank()) {
                return lines[i].strip();
            }
        }
        return "";
    }
}
