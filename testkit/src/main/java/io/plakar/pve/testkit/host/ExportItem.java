package io.plakar.pve.testkit.host;

import com.google.protobuf.Timestamp;
import io.plakar.pve.proto.connectors.FileInfo;
import io.plakar.pve.proto.connectors.Record;

import java.io.InputStream;
import java.time.Instant;
import java.util.function.Supplier;

/** One record the test host sends in Export, with its content when it has a reader. */
public record ExportItem(Record record, Supplier<InputStream> content) {
    private static final int DIR = 1 << 31;

    public static ExportItem directory(String path) {
        return new ExportItem(Record.newBuilder().setPathname(path)
                .setFileInfo(FileInfo.newBuilder().setName(baseName(path)).setMode(DIR | 0755)
                        .setModTime(Timestamp.newBuilder().setSeconds(Instant.now().getEpochSecond())))
                .build(), null);
    }

    public static ExportItem file(String path, long size, Instant modTime, Supplier<InputStream> content) {
        return new ExportItem(Record.newBuilder().setPathname(path).setHasReader(true)
                .setFileInfo(FileInfo.newBuilder().setName(baseName(path)).setMode(0600).setSize(size)
                        .setModTime(Timestamp.newBuilder().setSeconds(modTime.getEpochSecond())))
                .build(), content);
    }

    /** A hand-made record (hostile tests): sent as is, content only when hasReader is set. */
    public static ExportItem raw(Record record, Supplier<InputStream> content) {
        return new ExportItem(record, content);
    }

    static String baseName(String path) {
        String p = path.endsWith("/") && path.length() > 1 ? path.substring(0, path.length() - 1) : path;
        int i = p.lastIndexOf('/');
        return i < 0 ? p : p.substring(i + 1);
    }
}
