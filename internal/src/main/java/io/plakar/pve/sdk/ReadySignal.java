package io.plakar.pve.sdk;

import io.grpc.stub.ServerCallStreamObserver;

/**
 * Blocks a producer thread until the call can take another message: this is the
 * backpressure that makes a slow host slow the source, with nothing buffered beyond
 * gRPC's flow-control window.
 */
final class ReadySignal {
    private final ServerCallStreamObserver<?> call;
    private final Object lock = new Object();
    private volatile boolean cancelled;

    ReadySignal(ServerCallStreamObserver<?> call) {
        this.call = call;
    }

    /** Must be called from the RPC handler itself (gRPC only accepts handlers installed there). */
    void install(Runnable onCancel) {
        call.setOnReadyHandler(this::wake);
        call.setOnCancelHandler(() -> {
            cancelled = true;
            wake();
            onCancel.run();
        });
    }

    void wake() {
        synchronized (lock) {
            lock.notifyAll();
        }
    }

    boolean cancelled() {
        return cancelled || call.isCancelled();
    }

    /** Returns false when the call was cancelled while waiting. */
    boolean awaitReady() throws InterruptedException {
        synchronized (lock) {
            while (!call.isReady()) {
                if (cancelled()) {
                    return false;
                }
                // the timeout guards against a lost wake-up; isReady is re-checked each time
                lock.wait(100);
            }
        }
        return !cancelled();
    }
}
