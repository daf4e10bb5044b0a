package io.plakar.pve.exporter;

import java.io.IOException;
import java.io.OutputStream;

/**
 * The node's {@code dump_dir}, where a dump is written before {@code qmrestore} /
 * {@code pct restore} read it. Names given here are fresh canonical dump names made by the
 * exporter (never a path from the snapshot); a file is created exclusively, never replaced.
 */
public interface StagingArea {

    /** The directory, for messages and for the restore command line. */
    String directory();

    /** The full path of a file name inside the directory. */
    default String pathOf(String fileName) {
        return directory().equals("/") ? "/" + fileName : directory() + "/" + fileName;
    }

    /** Free bytes available to us in the directory, or -1 when unknown. */
    long freeBytes() throws IOException, InterruptedException;

    /**
     * Creates {@code fileName} exclusively and returns a stream writing it. Throws
     * {@link AlreadyExists} when a file of that name is there (the caller picks another
     * name). Closing the stream completes the write and throws if any byte was lost.
     */
    OutputStream create(String fileName) throws IOException, InterruptedException;

    /** Removes a file the exporter created; quiet when it is already gone. */
    void remove(String fileName) throws IOException, InterruptedException;

    final class AlreadyExists extends IOException {
        public AlreadyExists(String path) {
            super(path + " already exists");
        }
    }
}
