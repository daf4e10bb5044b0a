package io.plakar.pve.testkit.sim;

import java.nio.charset.StandardCharsets;

/** Result of running a fake tool (or ssh) to completion. */
public final class ProcResult {
    private final int exitCode;
    private final byte[] stdout;
    private final byte[] stderr;

    public ProcResult(int exitCode, byte[] stdout, byte[] stderr) {
        this.exitCode = exitCode;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    public int exitCode() {
        return exitCode;
    }

    public byte[] stdout() {
        return stdout;
    }

    public String stdoutText() {
        return new String(stdout, StandardCharsets.UTF_8);
    }

    public String stderr() {
        return new String(stderr, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "exit=" + exitCode + " stdout=" + stdout.length + " bytes, stderr=" + stderr();
    }
}
