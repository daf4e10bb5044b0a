package io.plakar.pve.testkit.host;

import io.plakar.pve.proto.connectors.Record;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.NoSuchElementException;

/** What a backup through the test host produced: one entry per record, plus the Import call's outcome. */
public final class Snapshot {
    private final List<Entry> entries;
    private final String importError;

    Snapshot(List<Entry> entries, String importError) {
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort((a, b) -> a.path().compareTo(b.path()));
        this.entries = Collections.unmodifiableList(sorted);
        this.importError = importError;
    }

    public List<Entry> entries() {
        return entries;
    }

    /** Empty when the Import call ended OK; else its status and description. */
    public String importError() {
        return importError;
    }

    public Entry get(String path) {
        return entries.stream().filter(e -> e.path().equals(path)).findFirst()
                .orElseThrow(() -> new NoSuchElementException("no entry " + path + " in " + paths()));
    }

    public List<String> paths() {
        return entries.stream().map(Entry::path).toList();
    }

    /**
     * One record. {@code recordError} is the error the plugin put in the record; {@code openError}
     * is the status of a failed Open ("CODE: description"), which Plakar records as a failed file.
     */
    public record Entry(String path, Record record, String recordError, boolean opened, long size,
                        String sha256, Path contentFile, String openError) {
        /** True when the file's content was read completely (a good file in the snapshot). */
        public boolean ok() {
            return recordError.isEmpty() && openError.isEmpty();
        }
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Snapshot[");
        for (Entry e : entries) {
            sb.append("\n  ").append(e.path()).append(" size=").append(e.size())
                    .append(e.recordError().isEmpty() ? "" : " recordError=" + e.recordError())
                    .append(e.openError().isEmpty() ? "" : " openError=" + e.openError());
        }
        return sb.append(importError.isEmpty() ? "" : "\n  importError=" + importError).append("]").toString();
    }
}
