package io.plakar.pve.runner;

/**
 * Why a runner could not be set up or connected. Runners know nothing of Plakar or gRPC: the
 * connector side ({@code proxmox.RunnerErrors}) turns the reason into the status the user sees.
 */
public final class RunnerException extends Exception {
    /** What went wrong, as far as the caller must tell them apart. */
    public enum Reason {
        /** The settings cannot work (unreadable key, a transport that cannot do this authentication). */
        BAD_SETTINGS,
        /** The node refused us: credentials, or a host key that does not match. */
        REFUSED,
        /** The credentials were refused. */
        AUTH_REFUSED,
        /** The node could not be reached (after the retries). */
        UNREACHABLE,
        /** Anything else on our side. */
        FAILED
    }

    private final Reason reason;

    public RunnerException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }

    static RunnerException badSettings(String message) {
        return new RunnerException(Reason.BAD_SETTINGS, message, null);
    }

    static RunnerException refused(String message) {
        return new RunnerException(Reason.REFUSED, message, null);
    }

    static RunnerException unreachable(String message, Throwable cause) {
        return new RunnerException(Reason.UNREACHABLE, message, cause);
    }

    static RunnerException failed(String message) {
        return new RunnerException(Reason.FAILED, message, null);
    }
}
