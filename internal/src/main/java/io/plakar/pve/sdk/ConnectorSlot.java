package io.plakar.pve.sdk;

/**
 * The connector created by Init, shared by the RPCs of the one connection: the one place both
 * services create it, ping it and close it.
 */
final class ConnectorSlot<T extends Connector> {
    private T connector;

    /** Creates the connector from Init (replacing an earlier one) and returns what Init answers. */
    ConnectorInfo init(ConnectorFactory<T> factory, InitContext context) throws Exception {
        T c = factory.create(context);
        set(c);
        return c.info();
    }

    void ping() throws ConnectorException {
        get().ping();
    }

    synchronized void set(T c) {
        closeQuietly(connector);
        connector = c;
    }

    synchronized T get() {
        if (connector == null) {
            throw ImporterService.notInitialised().asRuntimeException();
        }
        return connector;
    }

    synchronized void close() {
        closeQuietly(connector);
        connector = null;
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            org.slf4j.LoggerFactory.getLogger(ConnectorSlot.class).warn("closing connector: {}", e.toString());
        }
    }
}
