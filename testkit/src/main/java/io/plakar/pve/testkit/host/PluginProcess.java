package io.plakar.pve.testkit.host;

import io.grpc.ManagedChannel;
import io.grpc.okhttp.OkHttpChannelBuilder;
import io.plakar.pve.sdk.StreamPairSocket;

import javax.net.SocketFactory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A plugin executable spawned the way {@code plakar} spawns it: stdin and stdout are two
 * pipes carrying one gRPC connection (HTTP/2, prior knowledge); stderr is captured (and
 * echoed to the test's stderr so a failing test shows what the plugin said).
 */
public final class PluginProcess implements AutoCloseable {
    /** grpc-go auto-tunes its receive window up to 16 MiB; give the Java client the same. */
    private static final int CLIENT_WINDOW = 16 << 20;
    /** grpc-go's default max receive message size, which the plugin must respect. */
    private static final int MAX_MESSAGE = 4 << 20;

    private final Process process;
    private final ManagedChannel channel;
    private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    private final Thread stderrPump;
    private final StreamPairSocket socket;
    private final long spawnNanos;

    private PluginProcess(Process process, long spawnNanos) throws IOException {
        this.process = process;
        this.spawnNanos = spawnNanos;
        this.socket = new StreamPairSocket(process.getInputStream(), process.getOutputStream());
        this.stderrPump = new Thread(() -> pump(process.getErrorStream()), "plugin-stderr");
        stderrPump.setDaemon(true);
        stderrPump.start();
        AtomicBoolean used = new AtomicBoolean();
        SocketFactory oneSocket = new SocketFactory() {
            private Socket give() throws IOException {
                if (used.compareAndSet(false, true)) {
                    return socket;
                }
                throw new IOException("the plugin's pipes were already used: a plugin serves one connection");
            }

            @Override
            public Socket createSocket() throws IOException {
                return give();
            }

            @Override
            public Socket createSocket(String host, int port) throws IOException {
                return give();
            }

            @Override
            public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
                return give();
            }

            @Override
            public Socket createSocket(InetAddress host, int port) throws IOException {
                return give();
            }

            @Override
            public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
                return give();
            }
        };
        this.channel = OkHttpChannelBuilder.forAddress("127.0.0.1", 1)
                .usePlaintext()
                .socketFactory(oneSocket)
                .proxyDetector(address -> null)
                .flowControlWindow(CLIENT_WINDOW)
                .maxInboundMessageSize(MAX_MESSAGE)
                .idleTimeout(1, TimeUnit.DAYS)
                .build();
    }

    public static PluginProcess spawn(Path executable, Map<String, String> env) {
        return spawn(List.of(executable.toString()), env);
    }

    public static PluginProcess spawn(List<String> command, Map<String, String> env) {
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().putAll(env);
        try {
            long t0 = System.nanoTime();
            return new PluginProcess(pb.start(), t0);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot spawn " + command, e);
        }
    }

    private void pump(InputStream in) {
        byte[] buf = new byte[8192];
        try (in) {
            int n;
            while ((n = in.read(buf)) > 0) {
                synchronized (stderr) {
                    stderr.write(buf, 0, n);
                }
                if (!Boolean.getBoolean("testhost.quiet")) {
                    System.err.write(buf, 0, n);
                    System.err.flush();
                }
            }
        } catch (IOException ignored) {
            // plugin exited
        }
    }

    public ImporterClient importer() {
        return new ImporterClient(channel);
    }

    public ExporterClient exporter() {
        return new ExporterClient(channel);
    }

    public ManagedChannel channel() {
        return channel;
    }

    /** Everything the plugin wrote to stderr so far. */
    public String stderr() {
        synchronized (stderr) {
            return stderr.toString(StandardCharsets.UTF_8);
        }
    }

    public long pid() {
        return process.pid();
    }

    public long spawnNanos() {
        return spawnNanos;
    }

    public Process process() {
        return process;
    }

    /** Closes the pipes like Plakar does and waits for the plugin to exit; returns its exit status. */
    public int closeAndWait(Duration timeout) {
        channel.shutdownNow();
        socket.close();
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("plugin did not exit within " + timeout + " after its pipes were closed");
            }
            stderrPump.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return process.exitValue();
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            try {
                closeAndWait(Duration.ofSeconds(15));
            } catch (RuntimeException e) {
                process.destroyForcibly();
            }
        }
        channel.shutdownNow();
    }
}
