package io.plakar.pve.sdk;

import com.google.protobuf.UnsafeByteOperations;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.plakar.pve.proto.importer.CloseRequest;
import io.plakar.pve.proto.importer.CloseResponse;
import io.plakar.pve.proto.importer.ImportRequest;
import io.plakar.pve.proto.importer.ImportResponse;
import io.plakar.pve.proto.importer.ImporterGrpc;
import io.plakar.pve.proto.importer.InitRequest;
import io.plakar.pve.proto.importer.InitResponse;
import io.plakar.pve.proto.importer.OpenRequest;
import io.plakar.pve.proto.importer.OpenResponse;
import io.plakar.pve.proto.importer.PingRequest;
import io.plakar.pve.proto.importer.PingResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;

/** Serves the importer RPCs for one {@link Importer}; all Proxmox knowledge stays in the importer. */
final class ImporterService extends ImporterGrpc.ImporterImplBase {
    static final int CHUNK_SIZE = 1 << 20;
    private static final Logger log = LoggerFactory.getLogger(ImporterService.class);

    private final ConnectorFactory<Importer> factory;
    private final ExecutorService workers;
    private final ConnectorSlot<Importer> slot = new ConnectorSlot<>();

    ImporterService(ConnectorFactory<Importer> factory, ExecutorService workers) {
        this.factory = factory;
        this.workers = workers;
    }

    ConnectorSlot<Importer> slot() {
        return slot;
    }

    @Override
    public void init(InitRequest request, StreamObserver<InitResponse> response) {
        UnaryCalls.answer(response, () -> {
            ConnectorInfo info = slot.init(factory, InitContexts.of(request.getProto(), request.getConfigMap(),
                    request.getOptions()));
            return InitResponse.newBuilder().setOrigin(info.origin()).setType(info.type())
                    .setRoot(info.root()).setFlags(info.flags()).build();
        });
    }

    @Override
    public void ping(PingRequest request, StreamObserver<PingResponse> response) {
        UnaryCalls.answer(response, () -> {
            slot.ping();
            return PingResponse.getDefaultInstance();
        });
    }

    @Override
    public void close(CloseRequest request, StreamObserver<CloseResponse> response) {
        UnaryCalls.answer(response, () -> {
            slot.close();
            return CloseResponse.getDefaultInstance();
        });
    }

    @Override
    public StreamObserver<ImportRequest> import_(StreamObserver<ImportResponse> response) {
        ServerCallStreamObserver<ImportResponse> call = (ServerCallStreamObserver<ImportResponse>) response;
        ReadySignal ready = new ReadySignal(call);
        ready.install(() -> { });
        CountDownLatch hostDone = new CountDownLatch(1);
        AtomicBoolean ended = new AtomicBoolean();
        Importer importer;
        try {
            importer = slot.get();
        } catch (Throwable t) {
            call.onError(StatusMapper.toStatus(t));
            return new IgnoringObserver<>();
        }
        workers.execute(() -> produceRecords(importer, call, ready, hostDone, ended));
        return new StreamObserver<>() {
            @Override
            public void onNext(ImportRequest request) {
                if (request.hasResult()) {
                    io.plakar.pve.proto.connectors.Result r = request.getResult();
                    try {
                        importer.acknowledge(new Result(ProtoMapper.fromProto(r.getHeader()), r.getError()));
                    } catch (RuntimeException e) {
                        log.warn("acknowledgement of {} failed: {}", r.getHeader().getPathname(), e.toString());
                    }
                }
            }

            @Override
            public void onError(Throwable t) {
                hostDone.countDown();
            }

            @Override
            public void onCompleted() {
                hostDone.countDown();
            }
        };
    }

    /** Emits every record, then {@code finished}, then waits for the host's half-close before ending OK. */
    private void produceRecords(Importer importer, ServerCallStreamObserver<ImportResponse> call, ReadySignal ready,
                                CountDownLatch hostDone, AtomicBoolean ended) {
        RecordSink sink = new RecordSink() {
            @Override
            public void emit(Record record) throws InterruptedException {
                if (!ready.awaitReady()) {
                    throw new InterruptedException("host cancelled the import");
                }
                call.onNext(ImportResponse.newBuilder().setRecord(ProtoMapper.toProto(record)).build());
            }

            @Override
            public boolean cancelled() {
                return ready.cancelled();
            }
        };
        try {
            importer.scan(sink);
            if (ready.cancelled()) {
                return;
            }
            ready.awaitReady();
            call.onNext(ImportResponse.newBuilder().setFinished(true).build());
            // The host acknowledges records until it half-closes; ending earlier can fail the backup.
            hostDone.await();
            if (!ready.cancelled() && ended.compareAndSet(false, true)) {
                call.onCompleted();
            }
        } catch (Throwable t) {
            if (!ready.cancelled() && ended.compareAndSet(false, true)) {
                log.error("import failed: {}", StatusMapper.message(t));
                call.onError(StatusMapper.toStatus(t));
            }
        }
    }

    @Override
    public void open(OpenRequest request, StreamObserver<OpenResponse> response) {
        ServerCallStreamObserver<OpenResponse> call = (ServerCallStreamObserver<OpenResponse>) response;
        String path = request.getRecord().getPathname();
        SourceHolder source = new SourceHolder();
        // let the producer read the next chunk from the source while the transport still writes this one
        call.setOnReadyThreshold(Tuning.ONREADY_THRESHOLD);
        ReadySignal ready = new ReadySignal(call);
        ready.install(source::close);
        workers.execute(() -> stream(path, call, ready, source));
    }

    private void stream(String path, ServerCallStreamObserver<OpenResponse> call, ReadySignal ready, SourceHolder source) {
        byte[] buffer = new byte[CHUNK_SIZE];
        try {
            InputStream in = slot.get().open(path);
            if (!source.set(in)) {
                return; // cancelled before the source was open: set() closed it
            }
            while (true) {
                int n = readFully(in, buffer);
                if (n > 0) {
                    if (!ready.awaitReady()) {
                        return;
                    }
                    // The message is serialised into HTTP/2 frames inside onNext, so the buffer can be reused.
                    call.onNext(OpenResponse.newBuilder().setChunk(UnsafeByteOperations.unsafeWrap(buffer, 0, n)).build());
                }
                if (n < buffer.length) {
                    break;
                }
            }
            if (!ready.cancelled()) {
                call.onCompleted();
            }
        } catch (Throwable t) {
            if (!ready.cancelled()) {
                String message = StatusMapper.message(t);
                log.error("{}: {}", path, message);
                call.onError(StatusMapper.toStatus(t));
            }
        } finally {
            source.close();
        }
    }

    /** Reads until the buffer is full or the stream ends; returns the bytes read (a short count means end of data). */
    private static int readFully(InputStream in, byte[] buffer) throws IOException {
        int total = 0;
        while (total < buffer.length) {
            int n = in.read(buffer, total, buffer.length - total);
            if (n < 0) {
                break;
            }
            total += n;
        }
        return total;
    }

    /** Holds an Open's source so a host cancel can close it from another thread, even mid-read. */
    private static final class SourceHolder {
        private InputStream in;
        private boolean closed;

        synchronized boolean set(InputStream stream) {
            if (closed) {
                closeQuietly(stream);
                return false;
            }
            in = stream;
            return true;
        }

        void close() {
            InputStream s;
            synchronized (this) {
                closed = true;
                s = in;
                in = null;
            }
            if (s != null) {
                closeQuietly(s);
            }
        }

        private static void closeQuietly(InputStream s) {
            try {
                s.close();
            } catch (IOException | RuntimeException ignored) {
                // best effort: the source is being abandoned
            }
        }
    }

    static final class IgnoringObserver<T> implements StreamObserver<T> {
        @Override
        public void onNext(T value) {
        }

        @Override
        public void onError(Throwable t) {
        }

        @Override
        public void onCompleted() {
        }
    }

    static Status notInitialised() {
        return Status.FAILED_PRECONDITION.withDescription("Init was not called");
    }
}
