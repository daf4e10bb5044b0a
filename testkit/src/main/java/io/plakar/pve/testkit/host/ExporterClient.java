package io.plakar.pve.testkit.host;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.plakar.pve.proto.connectors.Result;
import io.plakar.pve.proto.exporter.CloseRequest;
import io.plakar.pve.proto.exporter.ExportRequest;
import io.plakar.pve.proto.exporter.ExportResponse;
import io.plakar.pve.proto.exporter.ExporterGrpc;
import io.plakar.pve.proto.exporter.InitRequest;
import io.plakar.pve.proto.exporter.InitResponse;
import io.plakar.pve.proto.exporter.Options;
import io.plakar.pve.proto.exporter.PingRequest;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Drives an exporter plugin the way {@code plakar restore -to} does. */
public final class ExporterClient {
    private static final int CHUNK = 1 << 20;
    private final ManagedChannel channel;
    private final ExporterGrpc.ExporterBlockingStub blocking;
    private volatile String exportError = "";

    ExporterClient(ManagedChannel channel) {
        this.channel = channel;
        this.blocking = ExporterGrpc.newBlockingStub(channel);
    }

    public InitResponse init(String proto, Map<String, String> config) {
        return blocking.init(InitRequest.newBuilder().setProto(proto).putAllConfig(config)
                .setOptions(Options.newBuilder().setHostname("testhost").setOs("linux").setArch("amd64")
                        .setCwd("/").setMaxconcurrency(4))
                .build());
    }

    public void ping() {
        blocking.ping(PingRequest.getDefaultInstance());
    }

    public void close() {
        blocking.close(CloseRequest.getDefaultInstance());
    }

    /** Empty when the last Export call ended OK; else "CODE: description". */
    public String exportError() {
        return exportError;
    }

    /** Like {@code plakar restore} of a whole snapshot: "/" first, then every stored file, sorted. */
    public List<Result> restore(Snapshot snapshot) {
        List<ExportItem> items = new ArrayList<>();
        items.add(ExportItem.directory("/"));
        for (Snapshot.Entry e : snapshot.entries()) {
            if (e.ok() && e.contentFile() != null) {
                items.add(ExportItem.file(e.path(), e.size(), Instant.ofEpochSecond(
                        e.record().getFileInfo().getModTime().getSeconds()), () -> open(e)));
            }
        }
        return export(items);
    }

    private static InputStream open(Snapshot.Entry e) {
        try {
            return Files.newInputStream(e.contentFile());
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Sends the items in order (record, chunks, empty terminator chunk), honouring the plugin's
     * flow control, and returns the results it answered.
     */
    public List<Result> export(List<ExportItem> items) {
        Outcome o = exportUntil(items, null, Long.MAX_VALUE);
        exportError = o.endStatus();
        return o.results();
    }

    /** What the host saw of an Export call: results, whether it aborted, content bytes sent, end status. */
    public record Outcome(List<Result> results, boolean aborted, long bytesSent, String endStatus) {
    }

    /**
     * Like {@link #export}, but gives up like a user interrupting {@code plakar restore}: the call
     * is cancelled once {@code afterBytes} of the content of {@code abortPath} were sent (null:
     * never).
     */
    Outcome exportUntil(List<ExportItem> items, String abortPath, long afterBytes) {
        List<Result> results = Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<String> end = new CompletableFuture<>();
        Object readyLock = new Object();
        @SuppressWarnings("unchecked")
        ClientCallStreamObserver<ExportRequest>[] holder = new ClientCallStreamObserver[1];
        ExporterGrpc.newStub(channel).export(new ClientResponseObserver<ExportRequest, ExportResponse>() {
            @Override
            public void beforeStart(ClientCallStreamObserver<ExportRequest> requestStream) {
                holder[0] = requestStream;
                requestStream.setOnReadyHandler(() -> {
                    synchronized (readyLock) {
                        readyLock.notifyAll();
                    }
                });
            }

            @Override
            public void onNext(ExportResponse value) {
                results.add(value.getResult());
            }

            @Override
            public void onError(Throwable t) {
                Status s = Status.fromThrowable(t);
                end.complete(s.getCode() + ": " + s.getDescription());
                synchronized (readyLock) {
                    readyLock.notifyAll();
                }
            }

            @Override
            public void onCompleted() {
                end.complete("");
            }
        });
        ClientCallStreamObserver<ExportRequest> out = holder[0];
        long sent = 0;
        try {
            for (ExportItem item : items) {
                send(out, readyLock, end, ExportRequest.newBuilder().setRecord(item.record()).build());
                if (!item.record().getHasReader()) {
                    continue;
                }
                boolean target = item.record().getPathname().equals(abortPath);
                try (InputStream in = item.content().get()) {
                    byte[] buf = new byte[CHUNK];
                    long mine = 0;
                    int n;
                    while ((n = in.readNBytes(buf, 0, CHUNK)) > 0) {
                        send(out, readyLock, end, ExportRequest.newBuilder().setChunk(ByteString.copyFrom(buf, 0, n)).build());
                        sent += n;
                        mine += n;
                        if (target && mine >= afterBytes) {
                            out.cancel("host aborted the restore", null);
                            String status;
                            try {
                                status = end.get(30, TimeUnit.SECONDS);
                            } catch (Exception e) {
                                status = "no end seen: " + e;
                            }
                            return new Outcome(new ArrayList<>(results), true, sent, status);
                        }
                    }
                }
                send(out, readyLock, end, ExportRequest.newBuilder().setChunk(ByteString.EMPTY).build());
            }
            if (!end.isDone()) {
                out.onCompleted();
            }
            String status = end.get(10, TimeUnit.MINUTES); // wait first: results arrive until the end
            return new Outcome(new ArrayList<>(results), false, sent, status);
        } catch (Exception e) {
            throw new IllegalStateException("export through the test host failed: " + e, e);
        }
    }

    private static void send(ClientCallStreamObserver<ExportRequest> out, Object readyLock,
                             CompletableFuture<String> end, ExportRequest request) throws InterruptedException {
        synchronized (readyLock) {
            while (!out.isReady() && !end.isDone()) {
                readyLock.wait(100);
            }
        }
        if (!end.isDone()) {
            out.onNext(request);
        }
    }
}
