package io.plakar.pve.testkit.host;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketImpl;

/** The host's side of the plugin's pipes, presented as a socket to the gRPC client transport. */
final class PipeSocket extends Socket {
    private final InputStream fromPlugin;
    private final OutputStream toPlugin;
    private volatile boolean closed;

    PipeSocket(InputStream fromPlugin, OutputStream toPlugin) throws IOException {
        super((SocketImpl) null);
        this.fromPlugin = fromPlugin;
        this.toPlugin = toPlugin;
    }

    @Override
    public InputStream getInputStream() {
        return fromPlugin;
    }

    @Override
    public OutputStream getOutputStream() {
        return toPlugin;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        // Like Plakar: close the plugin's stdout reader first, then its stdin.
        try {
            fromPlugin.close();
        } catch (IOException ignored) {
            // already closed
        }
        try {
            toPlugin.close();
        } catch (IOException ignored) {
            // already closed
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
        toPlugin.close();
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
}
