package io.plakar.pve.importer.audit.api;

/**
 * A failed API call. {@link #getMessage()} is written for the user (no secrets): it names
 * the server, the path and what to do about it.
 */
public class ApiException extends Exception {
    /** What went wrong, so callers can decide (e.g. 404 on the namespace endpoint). */
    public enum Kind { AUTH, FORBIDDEN, NOT_FOUND, NOT_IMPLEMENTED, CLIENT, SERVER, IO, TLS, MALFORMED }

    private final Kind kind;
    private final int status;

    public ApiException(Kind kind, int status, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.status = status;
    }

    public ApiException(Kind kind, int status, String message) {
        this(kind, status, message, null);
    }

    public Kind kind() {
        return kind;
    }

    /** The HTTP status, or 0 when no response was received. */
    public int status() {
        return status;
    }

    /**
     * The answer of an endpoint the audit can do without when this token may not use it or this
     * server version lacks it: 403, 404, 501. Such an answer is final, never retried.
     */
    public boolean unavailable() {
        return kind == Kind.FORBIDDEN || kind == Kind.NOT_FOUND || kind == Kind.NOT_IMPLEMENTED;
    }

    /** Failures worth retrying: 5xx except 501, timeouts, resets, truncated bodies. Never 4xx or TLS. */
    public boolean retryable() {
        return kind == Kind.SERVER || kind == Kind.IO || kind == Kind.MALFORMED;
    }
}
