package io.plakar.pve.sdk;

import io.grpc.stub.ServerCallStreamObserver;
import io.plakar.pve.proto.exporter.ExportRequest;

import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * The host's Export packets, handed from gRPC to the exporter thread with manual flow
 * control: a packet is requested from the host only when the previous one was taken, so a
 * slow restore slows the host instead of filling memory.
 */
final class ExportPackets {
    /** Packets requested ahead of the consumer: bounded, at most this many chunks in memory. */
    static final int PREFETCH = 4;

    private static final ExportRequest END = ExportRequest.newBuilder().build();
    private final BlockingQueue<ExportRequest> queue = new LinkedBlockingQueue<>();
    private final ServerCallStreamObserver<?> call;
    private volatile Throwable failure;

    ExportPackets(ServerCallStreamObserver<?> call) {
        this.call = call;
    }

    void start() {
        call.request(PREFETCH);
    }

    void offer(ExportRequest packet) {
        queue.add(packet);
    }

    void hostClosed() {
        queue.add(END);
    }

    void hostFailed(Throwable t) {
        failure = t;
        queue.add(END);
    }

    /** The next packet, or null when the host half-closed (or went away). */
    ExportRequest next() throws InterruptedException {
        ExportRequest p = queue.take();
        if (p == END) {
            queue.add(END); // stay at the end for any later caller
            return null;
        }
        call.request(1);
        return p;
    }

    Throwable failure() {
        return failure;
    }

    /** The content of one record: chunks up to the empty terminating chunk. */
    final class Content extends InputStream {
        private com.google.protobuf.ByteString current = com.google.protobuf.ByteString.EMPTY;
        private int pos;
        private boolean done;
        private boolean broken;

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            while (pos == current.size()) {
                if (done) {
                    return -1;
                }
                fill();
            }
            // copy straight out of the received message: no intermediate array per chunk
            int n = Math.min(len, current.size() - pos);
            current.copyTo(b, pos, off, n);
            pos += n;
            return n;
        }

        private void fill() throws IOException {
            if (broken) {
                throw new IOException("the host stopped sending this file's content before its end");
            }
            ExportRequest p;
            try {
                p = next();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while receiving content", e);
            }
            if (p == null || p.getPacketCase() != ExportRequest.PacketCase.CHUNK) {
                broken = true;
                if (p != null) {
                    pushBack = p;
                }
                throw new IOException("the host stopped sending this file's content before its end");
            }
            if (p.getChunk().isEmpty()) {
                done = true;
                current = com.google.protobuf.ByteString.EMPTY;
                pos = 0;
                return;
            }
            current = p.getChunk();
            pos = 0;
        }

        /** Reads and discards what the exporter left unread, up to the terminator. */
        void drain() throws IOException {
            byte[] skip = new byte[64 << 10];
            while (!done && !broken) {
                if (read(skip, 0, skip.length) < 0) {
                    break;
                }
            }
        }

        boolean complete() {
            return done;
        }
    }

    /** A record packet that arrived where a chunk was expected (protocol violation): handled next. */
    private ExportRequest pushBack;

    ExportRequest takePushBack() {
        ExportRequest p = pushBack;
        pushBack = null;
        return p;
    }
}
