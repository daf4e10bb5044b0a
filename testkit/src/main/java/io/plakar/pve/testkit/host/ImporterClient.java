package io.plakar.pve.testkit.host;

import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.plakar.pve.proto.connectors.Record;
import io.plakar.pve.proto.connectors.Result;
import io.plakar.pve.proto.importer.CloseRequest;
import io.plakar.pve.proto.importer.ImportRequest;
import io.plakar.pve.proto.importer.ImportResponse;
import io.plakar.pve.proto.importer.ImporterGrpc;
import io.plakar.pve.proto.importer.InitRequest;
import io.plakar.pve.proto.importer.InitResponse;
import io.plakar.pve.proto.importer.OpenRequest;
import io.plakar.pve.proto.importer.OpenResponse;
import io.plakar.pve.proto.importer.Options;
import io.plakar.pve.proto.importer.PingRequest;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;

/** Drives an importer plugin the way {@code plakar backup} does. */
public final class ImporterClient {
    private static final int GO_FILEMODE_TYPE_BITS = (1 << 31) | (1 << 27) | (1 << 25) | (1 << 24) | (1 << 26) | (1 << 21) | (1 << 19);
    private final ManagedChannel channel;
    private final ImporterGrpc.ImporterBlockingStub blocking;

    ImporterClient(ManagedChannel channel) {
        this.channel = channel;
        this.blocking = ImporterGrpc.newBlockingStub(channel);
    }

    public InitResponse init(String proto, Map<String, String> config) {
        return init(proto, config, 4);
    }

    public InitResponse init(String proto, Map<String, String> config, int maxConcurrency) {
        return blocking.init(InitRequest.newBuilder().setProto(proto).putAllConfig(config)
                .setOptions(Options.newBuilder().setHostname("testhost").setOs("linux").setArch("amd64")
                        .setCwd("/").setMaxconcurrency(maxConcurrency))
                .build());
    }

    public void ping() {
        blocking.ping(PingRequest.getDefaultInstance());
    }

    public void close() {
        blocking.close(CloseRequest.getDefaultInstance());
    }

    /** Streams one record's content; the iterator throws StatusRuntimeException when Open fails. */
    public Iterator<OpenResponse> open(String path) {
        return blocking.open(OpenRequest.newBuilder().setRecord(Record.newBuilder().setPathname(path)).build());
    }

    /** Reads one record's content completely, handing each chunk size to {@code progress}. Returns the sha256. */
    public String openAndHash(String path, OutputStream copy, LongConsumer progress) {
        MessageDigest sha = sha256();
        Iterator<OpenResponse> it = open(path);
        while (it.hasNext()) {
            OpenResponse r = it.next();
            if (r.getChunk().isEmpty()) {
                throw new IllegalStateException("plugin sent an empty chunk for " + path + " (Plakar fails the file)");
            }
            r.getChunk().asReadOnlyByteBufferList().forEach(sha::update);
            if (copy != null) {
                try {
                    r.getChunk().writeTo(copy);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            progress.accept(r.getChunk().size());
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    public Snapshot backup() {
        return backup(BackupOptions.defaults());
    }

    /** A whole backup: Import, Open each regular file (up to N at once), acknowledge each record, half-close. */
    public Snapshot backup(BackupOptions options) {
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, options.concurrency));
        LinkedBlockingQueue<Object> events = new LinkedBlockingQueue<>();
        Object finished = new Object();
        CompletableFuture<String> importEnd = new CompletableFuture<>();
        StreamObserver<ImportRequest> acks = ImporterGrpc.newStub(channel).import_(new StreamObserver<>() {
            @Override
            public void onNext(ImportResponse value) {
                if (value.getFinished()) {
                    events.add(finished);
                } else {
                    events.add(value.getRecord());
                }
            }

            @Override
            public void onError(Throwable t) {
                importEnd.complete(Status.fromThrowable(t).getCode() + ": " + Status.fromThrowable(t).getDescription());
                events.add(finished);
            }

            @Override
            public void onCompleted() {
                importEnd.complete("");
            }
        });
        List<Future<Snapshot.Entry>> pending = new ArrayList<>();
        try {
            while (true) {
                Object ev = events.poll(10, TimeUnit.MINUTES);
                if (ev == null) {
                    throw new IllegalStateException("no record or finished flag from the plugin for 10 minutes");
                }
                if (ev == finished) {
                    break;
                }
                Record rec = (Record) ev;
                pending.add(pool.submit(() -> handle(rec, options, acks)));
            }
            List<Snapshot.Entry> entries = new ArrayList<>();
            for (Future<Snapshot.Entry> f : pending) {
                entries.add(f.get());
            }
            synchronized (acks) {
                acks.onCompleted();
            }
            String end = importEnd.get(5, TimeUnit.MINUTES);
            return new Snapshot(entries, end);
        } catch (Exception e) {
            throw new IllegalStateException("backup through the test host failed: " + e, e);
        } finally {
            pool.shutdownNow();
        }
    }

    private Snapshot.Entry handle(Record rec, BackupOptions options, StreamObserver<ImportRequest> acks) {
        String path = rec.getPathname();
        boolean regular = rec.getError().isEmpty() && rec.hasFileInfo()
                && (rec.getFileInfo().getMode() & GO_FILEMODE_TYPE_BITS) == 0;
        long size = 0;
        String sha = "";
        String openError = "";
        Path stored = null;
        boolean opened = false;
        if (regular && !options.skipOpen.test(path)) {
            opened = true;
            Context.CancellableContext ctx = Context.current().withCancellation();
            long[] count = {0};
            OutputStream copy = null;
            try {
                if (options.contentDir != null) {
                    stored = options.contentDir.resolve(path.replaceFirst("^/+", ""));
                    Files.createDirectories(stored.getParent());
                    copy = Files.newOutputStream(stored);
                }
                OutputStream target = copy;
                boolean cancelThis = options.cancelOpen.test(path);
                sha = ctx.call(() -> openAndHash(path, target, n -> {
                    count[0] += n;
                    if (options.readDelayMillisPerChunk > 0) {
                        sleep(options.readDelayMillisPerChunk);
                    }
                    if (cancelThis && count[0] >= options.cancelAfterBytes) {
                        ctx.cancel(null);
                    }
                }));
            } catch (StatusRuntimeException e) {
                openError = e.getStatus().getCode() + ": " + e.getStatus().getDescription();
                sha = "";
            } catch (Exception e) {
                openError = "host: " + e;
                sha = "";
            } finally {
                ctx.cancel(null);
                if (copy != null) {
                    try {
                        copy.close();
                    } catch (IOException ignored) {
                        // test storage
                    }
                }
            }
            size = count[0];
        }
        // Plakar re-encodes the record in its acknowledgement: size = bytes read, hasReader recomputed.
        Record.Builder ack = rec.toBuilder();
        if (rec.hasFileInfo()) {
            ack.setFileInfo(rec.getFileInfo().toBuilder().setSize(size));
        }
        synchronized (acks) {
            acks.onNext(ImportRequest.newBuilder().setResult(Result.newBuilder().setHeader(ack)).build());
        }
        return new Snapshot.Entry(path, rec, rec.getError(), opened, size, sha, stored, openError);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
