package io.plakar.pve.testkit.pbs;

/**
 * A fault injected on one API path: an HTTP status with a body, a delay, a connection
 * closed in the middle of the body, malformed JSON — optionally only for the first
 * {@code times} requests (then the path answers normally).
 */
public record Fault(Type type, int status, String body, long delayMillis, int times) {
    public enum Type { STATUS, DELAY, CLOSE_EARLY, MALFORMED_JSON }

    public static Fault status(int status, String body) {
        return new Fault(Type.STATUS, status, body, 0, Integer.MAX_VALUE);
    }

    public static Fault delay(long millis) {
        return new Fault(Type.DELAY, 0, null, millis, Integer.MAX_VALUE);
    }

    public static Fault closeEarly() {
        return new Fault(Type.CLOSE_EARLY, 0, null, 0, Integer.MAX_VALUE);
    }

    public static Fault malformedJson() {
        return new Fault(Type.MALFORMED_JSON, 0, null, 0, Integer.MAX_VALUE);
    }

    /** The same fault for the first {@code n} requests only. */
    public Fault times(int n) {
        return new Fault(type, status, body, delayMillis, n);
    }
}
