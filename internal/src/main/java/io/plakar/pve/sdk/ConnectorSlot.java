package io.plakar.pve.sdk;

/** The connector created by Init, shared by the RPCs of the one connection. */
final class ConnectorSlot<T extends AutoCloseable> {
    private T connector;

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
