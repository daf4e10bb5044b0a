package io.plakar.pve.sdk;

import java.io.InputStream;

/**
 * A Plakar exporter, independent of gRPC. Records arrive in the host's walk order, one at
 * a time; the content of a record with a reader is an InputStream that ends where the host's
 * empty terminating chunk was (it is fed with backpressure from the host).
 */
public interface Exporter extends Connector {

    /**
     * Handles one record and returns its result. {@code content} is null when the record has
     * no reader. The implementation need not drain {@code content}; the runtime discards what
     * is left. A failure of this record is a {@link Result#failed} result, not an exception;
     * an exception fails this record with its message.
     */
    Result export(Record record, InputStream content) throws Exception;

    /**
     * Results of earlier records that {@link #export} answered with {@link Result#deferred}
     * and that are now decided. Called after every {@code export} and after {@link #finish};
     * each settled result is sent to the host once.
     */
    default java.util.List<Result> takeSettled() {
        return java.util.List.of();
    }

    /**
     * The host sent its last record: decide every deferred record now (their results are then
     * collected through {@link #takeSettled}). A record still undecided afterwards is failed
     * by the runtime, so no record goes unanswered.
     */
    default void finish() throws Exception {
    }

    /** An Export stream begins (a host may run another one after an aborted one). */
    default void beginExport() {
    }

    /**
     * The host cancelled the current Export stream or went away before its last record. Called
     * on another thread than {@link #export}, possibly while it runs: stop what is running
     * (gracefully), start nothing new in this stream, and leave nothing staged.
     */
    default void abort() {
    }

}
