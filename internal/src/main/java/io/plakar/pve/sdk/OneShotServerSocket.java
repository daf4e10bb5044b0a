package io.plakar.pve.sdk;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.util.concurrent.CountDownLatch;

/** A server socket that "accepts" exactly one connection, the stdio pipes, and never listens on the network. */
final class OneShotServerSocket extends ServerSocket {
    private final CountDownLatch closed = new CountDownLatch(1);
    private Socket pending;

    OneShotServerSocket(Socket only) throws IOException {
        this.pending = only;
    }

    @Override
    public void bind(SocketAddress endpoint) {
    }

    @Override
    public void bind(SocketAddress endpoint, int backlog) {
    }

    @Override
    public Socket accept() throws IOException {
        synchronized (this) {
            if (pending != null) {
                Socket s = pending;
                pending = null;
                return s;
            }
        }
        try {
            closed.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        throw new SocketException("closed");
    }

    @Override
    public void close() {
        closed.countDown();
    }

    @Override
    public boolean isClosed() {
        return closed.getCount() == 0;
    }

    @Override
    public boolean isBound() {
        return true;
    }

    @Override
    public SocketAddress getLocalSocketAddress() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    }

    @Override
    public int getLocalPort() {
        return 0;
    }

    @Override
    public InetAddress getInetAddress() {
        return InetAddress.getLoopbackAddress();
    }
}
