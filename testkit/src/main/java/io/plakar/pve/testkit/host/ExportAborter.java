package io.plakar.pve.testkit.host;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.plakar.pve.proto.connectors.Result;
import io.plakar.pve.proto.exporter.ExportRequest;
import io.plakar.pve.proto.exporter.ExportResponse;
import io.plakar.pve.proto.exporter.ExporterGrpc;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A host that gives up in the middle of a restore, like a user interrupting {@code plakar
 * restore}: it sends the items as {@link ExporterClient#export} does, then cancels the Export
 * call once {@code afterBytes} of the content of {@code path} were sent (the plugin sees the
 * call cancelled while it is reading that record's content).
 */
public final class ExportAborter {
    private static final int CHUNK = 1 << 20;

    private ExportAborter() {
    }

    /** What the host saw before and after it cancelled. */
    public record Outcome(List<Result> results, boolean aborted, long bytesSent, String endStatus) {
    }

    public static Outcome exportAndAbort(ManagedChannel channel, List<ExportItem> items, String path, long afterBytes) {
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
                boolean target = item.record().getPathname().equals(path);
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
            return new Outcome(new ArrayList<>(results), false, sent, end.get(10, TimeUnit.MINUTES));
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
