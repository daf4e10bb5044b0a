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
 * A {@link Socket} that is really a pair of pipes, so that a socket-based HTTP/2 transport
 * can run over them: the plugin's stdin/stdout here, the child's pipes in the test host.
 * Only what grpc-okhttp uses is implemented. Closing closes the input first, then the output
 * (Plakar closes its reader of the plugin's stdout before the plugin's stdin).
 */
public final class StreamPairSocket extends Socket {
    private final InputStream in;
    private final OutputStream out;
    private volatile boolean closed;

    public StreamPairSocket(InputStream in, OutputStream out) throws IOException {
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
            in.close();
        } catch (IOException ignored) {
            // nothing left to release
        }
        try {
            out.close();
        } catch (IOException ignored) {
            // the other end is already gone
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
        return "StreamPairSocket[pipes]";
    }
}
