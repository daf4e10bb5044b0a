package io.plakar.pve.sdk;

import java.util.Objects;

/**
 * The acknowledgement of one record: empty error means success. An exporter may answer a
 * record later ({@link #deferred}): the runtime then waits for the settled result from
 * {@link Exporter#takeSettled()} or {@link Exporter#finish()}.
 */
public record Result(Record record, String error, boolean deferred) {
    public Result {
        Objects.requireNonNull(record, "record");
        error = error == null ? "" : error;
    }

    public Result(Record record, String error) {
        this(record, error, false);
    }

    public static Result ok(Record record) {
        return new Result(record, "");
    }

    public static Result failed(Record record, String error) {
        return new Result(record, error == null || error.isBlank() ? "failed" : error);
    }

    /** "Not decided yet": the exporter will settle this record's result later. */
    public static Result deferred(Record record) {
        return new Result(record, "", true);
    }

    public boolean isOk() {
        return error.isEmpty() && !deferred;
    }
}
