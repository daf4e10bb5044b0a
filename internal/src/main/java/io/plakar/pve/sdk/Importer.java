package io.plakar.pve.sdk;

import java.io.IOException;
import java.io.InputStream;

/**
 * A Plakar importer, independent of gRPC. Lifecycle: created from Init (constructor
 * validates everything; no command runs before), then {@link #scan} once, {@link #open}
 * for records with content (possibly concurrently, possibly never), {@link #acknowledge}
 * once per record, and {@link #close}.
 */
public interface Importer extends Connector {

    /** Emits every record. Per-record failures become {@link Record#failed} records, not exceptions. */
    void scan(RecordSink sink) throws ConnectorException, InterruptedException;

    /**
     * Opens the content of a record lazily. The stream is read from one thread; {@link
     * InputStream#close()} may be called from another thread at any time (host cancel) and
     * must then stop the source (kill the child process) and make a blocked read return.
     * A read that fails (source died, truncated, exit status non-zero) must throw: the host
     * then records the file as failed. Throw {@link java.io.FileNotFoundException} or a
     * NOT_FOUND {@link ConnectorException} for an unknown path.
     */
    InputStream open(String pathname) throws IOException, ConnectorException;

    /** The host finished with a record (read, skipped or failed): release what it holds. */
    default void acknowledge(Result result) {
    }

}
