package io.plakar.pve.importer.backup;

/** A guest could not be dumped at all (no archive bytes): becomes a failed record; the message is for the user. */
public final class DumpFailedException extends Exception {
    public DumpFailedException(String message) {
        super(message);
    }

    public DumpFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
