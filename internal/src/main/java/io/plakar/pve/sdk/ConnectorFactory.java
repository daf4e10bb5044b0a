package io.plakar.pve.sdk;

/** Builds a connector from Init. Throw {@link ConnectorException} (INVALID_CONFIG) on bad config. */
@FunctionalInterface
public interface ConnectorFactory<T> {
    T create(InitContext context) throws ConnectorException;
}
