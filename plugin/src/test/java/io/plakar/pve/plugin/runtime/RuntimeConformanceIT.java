package io.plakar.pve.plugin.runtime;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.plakar.pve.proto.connectors.Result;
import io.plakar.pve.tools.measure.RssSampler;
import io.plakar.pve.proto.importer.InitResponse;
import io.plakar.pve.proto.importer.OpenResponse;
import io.plakar.pve.testkit.conformance.PatternStream;
import io.plakar.pve.testkit.host.BackupOptions;
import io.plakar.pve.testkit.host.ExportItem;
import io.plakar.pve.testkit.host.ExporterClient;
import io.plakar.pve.testkit.host.ImporterClient;
import io.plakar.pve.testkit.host.PluginProcess;
import io.plakar.pve.testkit.host.Snapshot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The plugin runtime's contract with Plakar, checked through a packaged test connector over real pipes. */
class RuntimeConformanceIT {
    static final Path CONFORMANCE = Path.of(System.getProperty("plugin.conformance", "plugin/target/conformance"));
    static final long GIB = 1L << 30;

    static PluginProcess importer() {
        return PluginProcess.spawn(CONFORMANCE.resolve("conformanceImporter"), Map.of());
    }

    static String patternSha(long length) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        try (PatternStream in = new PatternStream(length, Long.MAX_VALUE)) {
            byte[] buf = new byte[1 << 20];
            int n;
            while ((n = in.read(buf)) > 0) {
                sha.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    @Test
    void importStreamsEveryFileAndReportsFailuresPerFile() throws Exception {
        try (PluginProcess p = importer()) {
            ImporterClient c = p.importer();
            InitResponse init = c.init("conformance", Map.of("big_bytes", String.valueOf(GIB)));
            assertEquals("conformance", init.getType());
            assertEquals("/", init.getRoot());
            c.ping();
            RssSampler rss = RssSampler.start(p.pid());
            Snapshot s = c.backup();
            long peak = rss.stop();
            assertEquals("", s.importError(), s.toString());
            assertEquals(List.of("/big.bin", "/dir/small.bin", "/fails.bin", "/hello.txt", "/unreadable.bin"), s.paths());

            Snapshot.Entry hello = s.get("/hello.txt");
            assertTrue(hello.ok());
            assertEquals(sha("hello\n".getBytes(StandardCharsets.UTF_8)), hello.sha256());

            Snapshot.Entry big = s.get("/big.bin");
            assertTrue(big.ok(), big.toString());
            assertEquals(GIB, big.size());
            assertEquals(patternSha(GIB), big.sha256());

            assertEquals(12345, s.get("/dir/small.bin").size());

            Snapshot.Entry fails = s.get("/fails.bin");
            assertFalse(fails.ok(), "a source failing mid-stream must not be a short success");
            assertTrue(fails.openError().contains("failed after"), fails.openError());
            assertTrue(fails.size() <= 3L << 20, "no bytes past the failure: " + fails.size());

            Snapshot.Entry unreadable = s.get("/unreadable.bin");
            assertEquals("permission denied (conformance)", unreadable.recordError());
            assertFalse(unreadable.opened());

            // 1 GiB streamed without growing the heap: RSS stays in the JVM's fixed footprint.
            assertTrue(peak < 192L << 20, "peak RSS " + (peak >> 20) + " MiB");
            c.close();
            assertEquals(0, p.closeAndWait(Duration.ofSeconds(10)), p.stderr());
            // connector code printed to System.out: it must have gone to stderr, not the gRPC stream
            assertTrue(p.stderr().contains("stray output from connector code"));
        }
    }

    @Test
    void jvmOutputOnFdOneCannotReachTheGrpcStream() {
        // -Xlog:gc writes to the JVM's stdout before any Java code runs; the launcher's fd swap
        // must send it to stderr, or the host would see a corrupt HTTP/2 stream.
        try (PluginProcess p = PluginProcess.spawn(CONFORMANCE.resolve("conformanceImporter"),
                Map.of("PLAKAR_PVE_JVM_OPTS", "-Xlog:gc*=info:stdout"))) {
            ImporterClient c = p.importer();
            c.init("conformance", Map.of("big_bytes", String.valueOf(64L << 20)));
            Snapshot s = c.backup();
            assertTrue(s.get("/big.bin").ok(), s.toString());
            assertEquals(0, p.closeAndWait(Duration.ofSeconds(10)));
            assertTrue(p.stderr().contains("Using Serial"), "the JVM's own log line went to stderr");
        }
    }

    @Test
    void unknownPathIsNotFound() {
        try (PluginProcess p = importer()) {
            ImporterClient c = p.importer();
            c.init("conformance", Map.of());
            Iterator<OpenResponse> it = c.open("/nope");
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class, it::hasNext);
            assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
            assertTrue(e.getStatus().getDescription().contains("does not exist"));
        }
    }

    @Test
    void hostCancelStopsTheSource(@TempDir Path tmp) throws Exception {
        Path marker = tmp.resolve("closed");
        try (PluginProcess p = importer()) {
            ImporterClient c = p.importer();
            c.init("conformance", Map.of("big_bytes", String.valueOf(GIB), "closed_marker", marker.toString()));
            Snapshot s = c.backup(BackupOptions.defaults().cancelOpen(path -> path.equals("/big.bin"), 64L << 20));
            Snapshot.Entry big = s.get("/big.bin");
            assertFalse(big.ok());
            assertTrue(big.openError().startsWith("CANCELLED"), big.openError());
            Path closed = tmp.resolve("closed_big.bin");
            for (int i = 0; i < 50 && !Files.exists(closed); i++) {
                Thread.sleep(100);
            }
            assertTrue(Files.exists(closed), "the source of a cancelled Open must be closed");
            c.ping(); // the connection survives a cancel
            assertEquals(0, p.closeAndWait(Duration.ofSeconds(10)));
        }
    }

    @Test
    void initErrorIsAReadableStatus() {
        try (PluginProcess p = importer()) {
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                    () -> p.importer().init("conformance", Map.of("reject", "1")));
            assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
            assertEquals("conformance: invalid configuration: reject: asked to refuse Init", e.getStatus().getDescription());
        }
    }

    @Test
    void rpcBeforeInitIsRefusedClearly() {
        try (PluginProcess p = importer()) {
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> p.importer().ping());
            assertEquals(Status.Code.FAILED_PRECONDITION, e.getStatus().getCode());
        }
    }

    @Test
    void closedPipesExitZeroAndExtraArgumentsAreRefused() throws Exception {
        try (PluginProcess p = importer()) {
            p.importer().init("conformance", Map.of());
            assertEquals(0, p.closeAndWait(Duration.ofSeconds(10)));
        }
        try (PluginProcess p = PluginProcess.spawn(List.of(CONFORMANCE.resolve("conformanceImporter").toString(), "extra"), Map.of())) {
            assertTrue(p.process().waitFor(20, java.util.concurrent.TimeUnit.SECONDS));
            assertEquals(1, p.process().exitValue());
            Thread.sleep(200);
            assertTrue(p.stderr().contains("takes no arguments"), p.stderr());
        }
    }

    @Test
    void exportReadsEveryRecordUpToItsTerminatorAndAnswersEach(@TempDir Path tmp) throws Exception {
        Path manifest = tmp.resolve("manifest.txt");
        byte[] two = new byte[(3 << 20) + 17];
        new java.util.Random(7).nextBytes(two);
        try (PluginProcess p = PluginProcess.spawn(CONFORMANCE.resolve("conformanceExporter"), Map.of())) {
            ExporterClient c = p.exporter();
            c.init("conformance", Map.of("manifest", manifest.toString()));
            Instant t = Instant.parse("2026-01-01T00:00:00Z");
            List<Result> results = c.export(List.of(
                    ExportItem.directory("/"),
                    ExportItem.file("/a.txt", 5, t, () -> new ByteArrayInputStream("abcde".getBytes())),
                    ExportItem.file("/empty", 0, t, () -> new ByteArrayInputStream(new byte[0])),
                    ExportItem.file("/should-fail.bin", 4, t, () -> new ByteArrayInputStream("xxxx".getBytes())),
                    ExportItem.file("/sub/two.bin", two.length, t, () -> new ByteArrayInputStream(two))));
            assertEquals("", c.exportError());
            assertEquals(5, results.size());
            assertEquals(List.of("/", "/a.txt", "/empty", "/should-fail.bin", "/sub/two.bin"),
                    results.stream().map(r -> r.getHeader().getPathname()).toList());
            assertEquals("", results.get(1).getError());
            assertEquals("", results.get(2).getError());
            assertEquals("conformance: refused /should-fail.bin", results.get(3).getError());
            assertEquals("", results.get(4).getError());
            List<String> lines = Files.readAllLines(manifest);
            assertEquals(List.of("/a.txt 5 " + sha("abcde".getBytes()), "/empty 0 " + sha(new byte[0]),
                    "/sub/two.bin " + two.length + " " + sha(two)), lines);
            assertEquals(0, p.closeAndWait(Duration.ofSeconds(10)));
        }
    }

    @Test
    void deferredResultsAreSentOnceDecidedAndNeverLost(@TempDir Path tmp) {
        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        try (PluginProcess p = PluginProcess.spawn(CONFORMANCE.resolve("conformanceExporter"), Map.of())) {
            ExporterClient c = p.exporter();
            c.init("conformance", Map.of("manifest", tmp.resolve("m").toString()));
            List<Result> results = c.export(List.of(
                    ExportItem.file("/defer-1.bin", 3, t, () -> new ByteArrayInputStream("abc".getBytes())),
                    ExportItem.file("/b.txt", 1, t, () -> new ByteArrayInputStream("b".getBytes())),
                    ExportItem.file("/defer-last.bin", 1, t, () -> new ByteArrayInputStream("z".getBytes()))));
            assertEquals("", c.exportError());
            assertEquals(List.of("/b.txt", "/defer-1.bin", "/defer-last.bin"),
                    results.stream().map(r -> r.getHeader().getPathname()).sorted().toList());
            for (Result r : results) {
                assertEquals(r.getHeader().getPathname().equals("/defer-last.bin") ? "settled at finish" : "", r.getError());
            }
        }
    }

    static String sha(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }
}
