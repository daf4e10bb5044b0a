package io.plakar.pve.testkit.conformance;

import io.plakar.pve.sdk.ConnectorException;
import io.plakar.pve.sdk.ConnectorInfo;
import io.plakar.pve.sdk.Exporter;
import io.plakar.pve.sdk.InitContext;
import io.plakar.pve.sdk.Record;
import io.plakar.pve.sdk.Result;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * A tiny exporter for the runtime's conformance tests: writes "<path> <size> <sha256>" per
 * file into the {@code manifest} file of its config, and fails records whose name contains
 * "fail". With {@code discard=1} content is hashed only (benchmarks).
 */
public final class ConformanceExporter implements Exporter {
    private final Path manifest;

    public ConformanceExporter(InitContext ctx) throws ConnectorException {
        String m = ctx.config().get("manifest");
        if (m == null) {
            throw ConnectorException.invalidConfig("conformance: invalid configuration: manifest: required");
        }
        manifest = Path.of(m);
    }

    @Override
    public ConnectorInfo info() {
        return new ConnectorInfo("conformance", "conformance", "/", 0);
    }

    private final java.util.List<Record> deferred = new java.util.ArrayList<>();
    private final java.util.List<Result> settled = new java.util.ArrayList<>();

    @Override
    public Result export(Record record, InputStream content) throws Exception {
        // records named *defer* are answered later: at the next record, or at finish with an error
        deferred.forEach(r -> settled.add(Result.ok(r)));
        deferred.clear();
        if (record.pathname().contains("defer")) {
            deferred.add(record);
            return Result.deferred(record);
        }
        if (record.pathname().contains("fail")) {
            return Result.failed(record, "conformance: refused " + record.pathname());
        }
        if (content == null) {
            return Result.ok(record);
        }
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        byte[] buf = new byte[1 << 16];
        long size = 0;
        int n;
        while ((n = content.read(buf)) > 0) {
            sha.update(buf, 0, n);
            size += n;
        }
        String line = record.pathname() + " " + size + " " + HexFormat.of().formatHex(sha.digest()) + "\n";
        synchronized (this) {
            try (OutputStream out = Files.newOutputStream(manifest, java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.APPEND)) {
                out.write(line.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
        }
        return Result.ok(record);
    }

    @Override
    public java.util.List<Result> takeSettled() {
        java.util.List<Result> out = java.util.List.copyOf(settled);
        settled.clear();
        return out;
    }

    @Override
    public void finish() {
        deferred.forEach(r -> settled.add(Result.failed(r, "settled at finish")));
        deferred.clear();
    }

    @Override
    public void close() {
    }
}
