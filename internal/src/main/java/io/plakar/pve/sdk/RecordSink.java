package io.plakar.pve.sdk;

/** Where an importer puts its records. {@link #emit} blocks while the host is slow (backpressure). */
public interface RecordSink {
    void emit(Record record) throws InterruptedException;

    /** True once the host went away or cancelled the import: stop scanning. */
    boolean cancelled();
}
