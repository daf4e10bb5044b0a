package io.plakar.pve.sdk;

import io.grpc.stub.StreamObserver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The one way both services answer a unary RPC: one response, or a status the user can read. */
final class UnaryCalls {
    private static final Logger LOG = LoggerFactory.getLogger(UnaryCalls.class);

    private UnaryCalls() {
    }

    interface Body<R> {
        R call() throws Exception;
    }

    static <R> void answer(StreamObserver<R> response, Body<R> body) {
        R r;
        try {
            r = body.call();
        } catch (Throwable t) {
            LOG.error("{}", StatusMapper.message(t));
            response.onError(StatusMapper.toStatus(t));
            return;
        }
        response.onNext(r);
        response.onCompleted();
    }
}
