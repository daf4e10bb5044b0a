package io.plakar.pve.exporter;

/** A failure of one guest's restore whose message is written for the user. */
class RestoreFailure extends Exception {
    RestoreFailure(String message) {
        super(message);
    }

    RestoreFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
