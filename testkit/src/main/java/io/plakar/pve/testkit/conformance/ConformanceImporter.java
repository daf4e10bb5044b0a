package io.plakar.pve.testkit.conformance;

import io.plakar.pve.sdk.ConnectorException;
import io.plakar.pve.sdk.ConnectorInfo;
import io.plakar.pve.sdk.FileInfo;
import io.plakar.pve.sdk.Importer;
import io.plakar.pve.sdk.InitContext;
import io.plakar.pve.sdk.Record;
import io.plakar.pve.sdk.RecordSink;

import java.io.FileNotFoundException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A tiny importer for the runtime's conformance tests. Config: {@code big_bytes} (size of
 * /big.bin, default 1 GiB), {@code fail_after} (where /fails.bin dies), {@code closed_marker}
 * (a file created when a source is closed by a host cancel), {@code reject=1} (Init fails),
 * {@code bench_bytes} (adds /bench.bin, a fast source for throughput benchmarks).
 */
public final class ConformanceImporter implements Importer {
    private static final Instant MTIME = Instant.parse("2026-01-02T03:04:05Z");
    private final Map<String, Long> files = new LinkedHashMap<>();
    private final long failAfter;
    private final Path closedMarker;

    public ConformanceImporter(InitContext ctx) throws ConnectorException {
        Map<String, String> c = ctx.config();
        if (c.containsKey("reject")) {
            throw ConnectorException.invalidConfig("conformance: invalid configuration: reject: asked to refuse Init");
        }
        files.put("/hello.txt", 6L);
        files.put("/big.bin", Long.parseLong(c.getOrDefault("big_bytes", String.valueOf(1L << 30))));
        files.put("/dir/small.bin", 12345L);
        files.put("/fails.bin", 8L << 20);
        long bench = Long.parseLong(c.getOrDefault("bench_bytes", "0"));
        if (bench > 0) {
            files.put("/bench.bin", bench);
        }
        failAfter = Long.parseLong(c.getOrDefault("fail_after", String.valueOf(3L << 20)));
        closedMarker = c.containsKey("closed_marker") ? Path.of(c.get("closed_marker")) : null;
    }

    @Override
    public ConnectorInfo info() {
        return new ConnectorInfo("conformance", "conformance", "/", 0);
    }

    @Override
    public void scan(RecordSink sink) throws InterruptedException {
        // A stray println in connector code must not reach the gRPC stream.
        System.out.println("stray output from connector code");
        for (Map.Entry<String, Long> e : files.entrySet()) {
            String name = e.getKey().substring(e.getKey().lastIndexOf('/') + 1);
            sink.emit(Record.file(e.getKey(), FileInfo.regular(name, e.getValue(), 0644, MTIME)));
        }
        sink.emit(Record.failed("/unreadable.bin", "permission denied (conformance)"));
    }

    @Override
    public InputStream open(String pathname) throws FileNotFoundException {
        Long size = files.get(pathname);
        if (size == null) {
            throw new FileNotFoundException(pathname + ": file does not exist");
        }
        if (pathname.equals("/hello.txt")) {
            return new java.io.ByteArrayInputStream("hello\n".getBytes(StandardCharsets.UTF_8));
        }
        if (pathname.equals("/bench.bin")) {
            return new RepeatingBlockStream(size);
        }
        long fail = pathname.equals("/fails.bin") ? failAfter : Long.MAX_VALUE;
        return new PatternStream(size, fail) {
            @Override
            public void close() {
                super.close();
                if (closedMarker != null) {
                    try {
                        Files.writeString(closedMarker.resolveSibling(closedMarker.getFileName() + pathname.replace('/', '_')), "closed");
                    } catch (java.io.IOException ignored) {
                        // marker is best effort
                    }
                }
            }
        };
    }

    @Override
    public void close() {
    }
}
