package io.plakar.pve.sdk;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.NoSuchFileException;

/** Maps failures to gRPC statuses whose description is the user-facing message (Plakar prints it verbatim). */
final class StatusMapper {
    private StatusMapper() {
    }

    static StatusRuntimeException toStatus(Throwable t) {
        if (t instanceof StatusRuntimeException sre) {
            return sre;
        }
        if (t instanceof ConnectorException ce) {
            Status s = switch (ce.kind()) {
                case INVALID_CONFIG -> Status.INVALID_ARGUMENT;
                case NOT_FOUND -> Status.NOT_FOUND;
                case UNAVAILABLE -> Status.UNAVAILABLE;
                case PERMISSION_DENIED -> Status.PERMISSION_DENIED;
                case FAILED -> Status.ABORTED;
            };
            return s.withDescription(ce.getMessage()).asRuntimeException();
        }
        if (t instanceof FileNotFoundException || t instanceof NoSuchFileException) {
            return Status.NOT_FOUND.withDescription(message(t)).asRuntimeException();
        }
        if (t instanceof IOException) {
            return Status.UNAVAILABLE.withDescription(message(t)).asRuntimeException();
        }
        if (t instanceof InterruptedException) {
            return Status.CANCELLED.withDescription("interrupted").asRuntimeException();
        }
        return Status.INTERNAL.withDescription("internal error: " + message(t)).asRuntimeException();
    }

    static String message(Throwable t) {
        String m = t.getMessage();
        return m == null || m.isBlank() ? t.getClass().getSimpleName() : m;
    }
}
