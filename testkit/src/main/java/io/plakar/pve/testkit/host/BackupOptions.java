package io.plakar.pve.testkit.host;

import java.nio.file.Path;
import java.util.function.Predicate;

/** How the test host behaves during a backup (defaults: like plakar, 4 records at once, content hashed). */
public final class BackupOptions {
    int concurrency = 4;
    Path contentDir;
    Predicate<String> skipOpen = p -> false;
    Predicate<String> cancelOpen = p -> false;
    long cancelAfterBytes = Long.MAX_VALUE;
    long readDelayMillisPerChunk;
    Predicate<String> holdAck = p -> false;

    public static BackupOptions defaults() {
        return new BackupOptions();
    }

    public BackupOptions concurrency(int n) {
        this.concurrency = n;
        return this;
    }

    /** Store each file's content under this directory (path inside = record path). */
    public BackupOptions storeContent(Path dir) {
        this.contentDir = dir;
        return this;
    }

    /** Acknowledge these records without opening them (excluded or unchanged files). */
    public BackupOptions skipOpen(Predicate<String> paths) {
        this.skipOpen = paths;
        return this;
    }

    /** Cancel the Open of these records after this many bytes, like a user interrupting plakar. */
    public BackupOptions cancelOpen(Predicate<String> paths, long afterBytes) {
        this.cancelOpen = paths;
        this.cancelAfterBytes = afterBytes;
        return this;
    }

    /** A slow host: sleep this long after each chunk (backpressure tests). */
    public BackupOptions readDelayPerChunk(long millis) {
        this.readDelayMillisPerChunk = millis;
        return this;
    }
}
