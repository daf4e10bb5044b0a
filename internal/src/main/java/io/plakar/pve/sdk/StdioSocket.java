package io.plakar.pve.sdk;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketImpl;

/**
 * A {@link Socket} that is really a pair of pipes (Plakar's stdin/stdout), so that a socket
 * based HTTP/2 transport can serve over them. Only what the transport uses is implemented.
 */
final class StdioSocket extends Socket {
    private final InputStream in;
    private final OutputStream out;
    private volatile boolean closed;

    StdioSocket(InputStream in, OutputStream out) throws IOException {
        super((SocketImpl) null);
        this.in = in;
        this.out = out;
    }

    @Override
    public InputStream getInputStream() {
        return in;
    }

    @Override
    public OutputStream getOutputStream() {
        return out;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            out.close();
        } catch (IOException ignored) {
            // the host already closed its end
        }
        try {
            in.close();
        } catch (IOException ignored) {
            // nothing left to release
        }
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public boolean isConnected() {
        return true;
    }

    @Override
    public boolean isBound() {
        return true;
    }

    @Override
    public void setTcpNoDelay(boolean on) {
    }

    @Override
    public void setSoTimeout(int timeout) {
    }

    @Override
    public void setKeepAlive(boolean on) {
    }

    @Override
    public void shutdownOutput() throws IOException {
        out.close();
    }

    @Override
    public void shutdownInput() throws IOException {
        in.close();
    }

    @Override
    public InetAddress getInetAddress() {
        return InetAddress.getLoopbackAddress();
    }

    @Override
    public SocketAddress getRemoteSocketAddress() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    }

    @Override
    public SocketAddress getLocalSocketAddress() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    }

    @Override
    public String toString() {
        return "StdioSocket[pipes]";
    }
}
