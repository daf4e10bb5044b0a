package io.plakar.pve.sdk;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import io.plakar.pve.proto.exporter.ExportRequest;
import io.plakar.pve.proto.exporter.ExportResponse;
import io.plakar.pve.proto.exporter.ExporterGrpc;
import io.plakar.pve.proto.exporter.InitRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The SDK's exporter runtime, in-process: one result per record, deferred results, and the abort of a cancelled stream. */
class ExporterServiceTest {
    private final ExecutorService workers = Executors.newCachedThreadPool();
    private Server server;
    private ManagedChannel channel;

    /** An exporter that records what the runtime asks of it. */
    static final class Recording implements Exporter {
        final List<String> calls = new CopyOnWriteArrayList<>();
        final CountDownLatch inExport = new CountDownLatch(1);
        final CountDownLatch aborted = new CountDownLatch(1);
        volatile boolean blockOnContent;
        private final List<Result> settled = new ArrayList<>();
        private Record deferred;

        @Override
        public ConnectorInfo info() {
            return new ConnectorInfo("test", "test", "/", 0);
        }

        @Override
        public void beginExport() {
            calls.add("begin");
        }

        @Override
        public Result export(Record record, InputStream content) throws Exception {
            calls.add("export " + record.pathname());
            inExport.countDown();
            if (blockOnContent) {
                content.readAllBytes(); // ends when the host cancels
                aborted.await(10, TimeUnit.SECONDS);
                return Result.failed(record, "cancelled");
            }
            if (record.pathname().endsWith(".later")) {
                deferred = record;
                return Result.deferred(record);
            }
            return record.pathname().endsWith(".bad") ? Result.failed(record, "refused") : Result.ok(record);
        }

        @Override
        public List<Result> takeSettled() {
            List<Result> out = List.copyOf(settled);
            settled.clear();
            return out;
        }

        @Override
        public void finish() {
            calls.add("finish");
            if (deferred != null) {
                settled.add(Result.failed(deferred, "decided at the end"));
                deferred = null;
            }
        }

        @Override
        public void abort() {
            calls.add("abort");
            aborted.countDown();
        }

        @Override
        public void close() {
            calls.add("close");
        }
    }

    ExporterGrpc.ExporterStub start(Recording exporter) throws Exception {
        String name = InProcessServerBuilder.generateName();
        server = InProcessServerBuilder.forName(name).addService(new ExporterService(ctx -> exporter, workers))
                .directExecutor().build().start();
        channel = InProcessChannelBuilder.forName(name).directExecutor().build();
        ExporterGrpc.newBlockingStub(channel).init(InitRequest.newBuilder().setProto("test").putAllConfig(Map.of()).build());
        return ExporterGrpc.newStub(channel);
    }

    @AfterEach
    void stop() {
        channel.shutdownNow();
        server.shutdownNow();
        workers.shutdownNow();
    }

    static ExportRequest record(String path, boolean reader) {
        return ExportRequest.newBuilder().setRecord(io.plakar.pve.proto.connectors.Record.newBuilder()
                .setPathname(path).setHasReader(reader)).build();
    }

    static ExportRequest chunk(String s) {
        return ExportRequest.newBuilder().setChunk(ByteString.copyFromUtf8(s)).build();
    }

    /** Collects results; {@code done} when the server completes or fails the call. */
    static final class Results implements StreamObserver<ExportResponse> {
        final LinkedBlockingQueue<String> results = new LinkedBlockingQueue<>();
        final CountDownLatch done = new CountDownLatch(1);

        @Override
        public void onNext(ExportResponse r) {
            results.add(r.getResult().getHeader().getPathname() + "=" + r.getResult().getError());
        }

        @Override
        public void onError(Throwable t) {
            done.countDown();
        }

        @Override
        public void onCompleted() {
            done.countDown();
        }
    }

    @Test
    void everyRecordGetsOneResultAndDeferredOnesAreSettledAtTheEnd() throws Exception {
        Recording exporter = new Recording();
        ExporterGrpc.ExporterStub stub = start(exporter);
        Results out = new Results();
        StreamObserver<ExportRequest> in = stub.export(out);
        in.onNext(record("/a", true));
        in.onNext(chunk("hello"));
        in.onNext(chunk(""));
        in.onNext(record("/b.later", false));
        in.onNext(record("/c.bad", false));
        in.onCompleted();
        assertTrue(out.done.await(10, TimeUnit.SECONDS));
        assertEquals(List.of("/a=", "/c.bad=refused", "/b.later=decided at the end"), new ArrayList<>(out.results));
        assertEquals(List.of("begin", "export /a", "export /b.later", "export /c.bad", "finish"), exporter.calls);
    }

    @Test
    void aCancelledStreamIsAbortedAndTheNextStreamBeginsAfterTheAbort() throws Exception {
        Recording exporter = new Recording();
        exporter.blockOnContent = true;
        ExporterGrpc.ExporterStub stub = start(exporter);
        Results out = new Results();
        StreamObserver<ExportRequest> in = stub.export(out);
        in.onNext(record("/big", true));
        in.onNext(chunk("partial"));
        assertTrue(exporter.inExport.await(10, TimeUnit.SECONDS));
        in.onError(new RuntimeException("user pressed Ctrl-C"));
        assertTrue(exporter.aborted.await(10, TimeUnit.SECONDS), "the exporter was told to abort");

        exporter.blockOnContent = false;
        Results again = new Results();
        StreamObserver<ExportRequest> second = stub.export(again);
        second.onNext(record("/next", false));
        second.onCompleted();
        assertTrue(again.done.await(10, TimeUnit.SECONDS));
        assertEquals(List.of("/next="), new ArrayList<>(again.results));
        List<String> calls = exporter.calls;
        assertTrue(calls.indexOf("abort") < calls.lastIndexOf("begin"), "abort belongs to the first stream: " + calls);
        assertTrue(!calls.subList(0, calls.indexOf("abort")).contains("finish"), "no finish for a cancelled stream: " + calls);
    }
}
