package io.plakar.pve.sdk;

import java.util.Objects;

/** The acknowledgement of one record: empty error means success. */
public record Result(Record record, String error) {
    public Result {
        Objects.requireNonNull(record, "record");
        error = error == null ? "" : error;
    }

    public static Result ok(Record record) {
        return new Result(record, "");
    }

    public static Result failed(Record record, String error) {
        return new Result(record, error == null || error.isBlank() ? "failed" : error);
    }

    public boolean isOk() {
        return error.isEmpty();
    }
}
