package io.plakar.pve.sdk;

/** What every connector answers to Init, Ping and Close, importer or exporter alike. */
public interface Connector extends AutoCloseable {

    /** Origin, type, root and flags, sent back on Init. */
    ConnectorInfo info();

    /** Reachability check for {@code Ping}; throw a {@link ConnectorException} with a clear message. */
    default void ping() throws ConnectorException {
    }

    @Override
    void close();
}
