package io.plakar.pve.sdk;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.plakar.pve.proto.exporter.CloseRequest;
import io.plakar.pve.proto.exporter.CloseResponse;
import io.plakar.pve.proto.exporter.ExportRequest;
import io.plakar.pve.proto.exporter.ExportResponse;
import io.plakar.pve.proto.exporter.ExporterGrpc;
import io.plakar.pve.proto.exporter.InitRequest;
import io.plakar.pve.proto.exporter.InitResponse;
import io.plakar.pve.proto.exporter.PingRequest;
import io.plakar.pve.proto.exporter.PingResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.ExecutorService;

/** Serves the exporter RPCs for one {@link Exporter}: one record at a time, one result per record. */
final class ExporterService extends ExporterGrpc.ExporterImplBase {
    private static final Logger log = LoggerFactory.getLogger(ExporterService.class);

    private final ConnectorFactory<Exporter> factory;
    private final ExecutorService workers;
    private final ConnectorSlot<Exporter> slot = new ConnectorSlot<>();

    ExporterService(ConnectorFactory<Exporter> factory, ExecutorService workers) {
        this.factory = factory;
        this.workers = workers;
    }

    ConnectorSlot<Exporter> slot() {
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
    public StreamObserver<ExportRequest> export(StreamObserver<ExportResponse> response) {
        ServerCallStreamObserver<ExportResponse> call = (ServerCallStreamObserver<ExportResponse>) response;
        call.disableAutoRequest();
        ExportPackets packets = new ExportPackets(call);
        Exporter exporter;
        try {
            exporter = slot.get();
        } catch (Throwable t) {
            call.onError(StatusMapper.toStatus(t));
            return new ImporterService.IgnoringObserver<>();
        }
        packets.start();
        workers.execute(() -> exportAll(exporter, call, packets));
        return new StreamObserver<>() {
            @Override
            public void onNext(ExportRequest value) {
                packets.offer(value);
            }

            @Override
            public void onError(Throwable t) {
                packets.hostFailed(t);
                // the export thread may be blocked in a restore tool: stop it from here
                Thread aborter = new Thread(exporter::abort, "export abort");
                aborter.setDaemon(true);
                lastAbort = aborter;
                aborter.start();
            }

            @Override
            public void onCompleted() {
                packets.hostClosed();
            }
        };
    }

    /** The abort of the most recent cancelled Export stream, if any. */
    private volatile Thread lastAbort;

    private void exportAll(Exporter exporter, ServerCallStreamObserver<ExportResponse> call, ExportPackets packets) {
        java.util.Map<String, io.plakar.pve.proto.connectors.Record> deferred = new java.util.LinkedHashMap<>();
        try {
            // an abort of the previous stream belongs to it: it must be over before this one begins
            Thread previous = lastAbort;
            if (previous != null) {
                previous.join();
            }
            exporter.beginExport();
            while (true) {
                ExportRequest p = packets.takePushBack();
                if (p == null) {
                    p = packets.next();
                }
                if (p == null) {
                    break;
                }
                if (p.getPacketCase() != ExportRequest.PacketCase.RECORD) {
                    log.warn("ignoring a content chunk that belongs to no record");
                    continue;
                }
                io.plakar.pve.proto.connectors.Record wire = p.getRecord();
                Result result = exportOne(exporter, wire, packets);
                if (call.isCancelled()) {
                    return;
                }
                if (result.deferred()) {
                    deferred.put(wire.getPathname(), wire);
                } else {
                    send(call, wire, result.error());
                }
                sendSettled(exporter, call, deferred);
            }
            if (packets.failure() == null && !call.isCancelled()) {
                try {
                    exporter.finish();
                } catch (Throwable t) {
                    log.error("finishing the restore: {}", StatusMapper.message(t));
                }
                sendSettled(exporter, call, deferred);
                for (io.plakar.pve.proto.connectors.Record wire : deferred.values()) {
                    send(call, wire, "the exporter never decided this record's result (internal error): check the log above");
                }
                call.onCompleted();
            }
        } catch (Throwable t) {
            if (!call.isCancelled()) {
                call.onError(StatusMapper.toStatus(t));
            }
        }
    }

    private static void send(ServerCallStreamObserver<ExportResponse> call, io.plakar.pve.proto.connectors.Record wire,
                             String error) {
        call.onNext(ExportResponse.newBuilder().setResult(io.plakar.pve.proto.connectors.Result.newBuilder()
                .setHeader(wire).setError(error)).build());
    }

    /** Sends the results the exporter decided for records it had deferred, each once. */
    private static void sendSettled(Exporter exporter, ServerCallStreamObserver<ExportResponse> call,
                                    java.util.Map<String, io.plakar.pve.proto.connectors.Record> deferred) {
        java.util.List<Result> settled;
        try {
            settled = exporter.takeSettled();
        } catch (RuntimeException e) {
            log.error("collecting deferred results: {}", StatusMapper.message(e));
            return;
        }
        for (Result r : settled) {
            io.plakar.pve.proto.connectors.Record wire = deferred.remove(r.record().pathname());
            if (wire != null && !r.deferred()) {
                send(call, wire, r.error());
            }
        }
    }

    private Result exportOne(Exporter exporter, io.plakar.pve.proto.connectors.Record wire, ExportPackets packets) {
        Record record = ProtoMapper.fromProto(wire);
        ExportPackets.Content content = wire.getHasReader() ? packets.new Content() : null;
        Result result;
        try {
            result = exporter.export(record, content);
            if (result == null) {
                result = Result.ok(record);
            }
        } catch (Throwable t) {
            log.error("{}: {}", record.pathname(), StatusMapper.message(t));
            result = Result.failed(record, StatusMapper.message(t));
        }
        if (content != null) {
            try {
                content.drain();
            } catch (Exception e) {
                if (result.isOk()) {
                    result = Result.failed(record, StatusMapper.message(e));
                }
            }
        }
        return result;
    }
}
