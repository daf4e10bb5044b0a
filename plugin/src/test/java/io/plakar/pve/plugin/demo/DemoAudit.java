package io.plakar.pve.plugin.demo;

import java.nio.file.Path;

/** The PBS audit part of the demo (filled in once the audit connector lands). */
final class DemoAudit {
    private DemoAudit() {
    }

    static void run(Path dist) {
        Demo.banner("plakar backup pbs+audit://... : not available yet");
    }
}
