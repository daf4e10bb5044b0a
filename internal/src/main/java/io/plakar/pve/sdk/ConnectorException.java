package io.plakar.pve.sdk;

/**
 * A failure whose message is written for the user: the runtime sends it verbatim as the
 * gRPC status description, which Plakar prints. Never put a secret in the message.
 */
public class ConnectorException extends Exception {
    public enum Kind { INVALID_CONFIG, NOT_FOUND, UNAVAILABLE, FAILED, PERMISSION_DENIED }

    private final Kind kind;

    public ConnectorException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public ConnectorException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public static ConnectorException invalidConfig(String message) {
        return new ConnectorException(Kind.INVALID_CONFIG, message);
    }

    public static ConnectorException notFound(String message) {
        return new ConnectorException(Kind.NOT_FOUND, message);
    }

    public static ConnectorException unavailable(String message, Throwable cause) {
        return new ConnectorException(Kind.UNAVAILABLE, message, cause);
    }

    public static ConnectorException failed(String message) {
        return new ConnectorException(Kind.FAILED, message);
    }

    public Kind kind() {
        return kind;
    }
}
