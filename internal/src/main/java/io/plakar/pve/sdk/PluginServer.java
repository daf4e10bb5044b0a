package io.plakar.pve.sdk;

import io.grpc.Attributes;
import io.grpc.BindableService;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerTransportFilter;
import io.grpc.okhttp.OkHttpServerBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ServerSocketFactory;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;

/**
 * Serves exactly one gRPC connection, the process's stdin/stdout, the way Plakar expects a
 * plugin to: HTTP/2 with prior knowledge, nothing else on stdout, exit 0 when the host
 * closes the pipes, non-zero with a clear stderr line when it cannot start.
 *
 * Transport: grpc-okhttp's server on a one-shot fake socket over the pipes (measured as the
 * fastest to start and the fastest to stream on this machine type; see the README).
 */
public final class PluginServer {
    /** Export chunks travel host → plugin; grpc-okhttp's 64 KiB default window costs ~40 %. */
    static final int FLOW_CONTROL_WINDOW = 16 << 20;
    static final int MAX_INBOUND_MESSAGE = 16 << 20;

    /** How long a closing connector may take: stopping Proxmox tools gracefully can take their stop grace each. */
    private static final java.time.Duration RELEASE_WAIT = java.time.Duration.ofMinutes(15);
    // Held strongly: java.util.logging forgets configured levels of unreferenced loggers.
    private static final java.util.logging.Logger GRPC_LOG = java.util.logging.Logger.getLogger("io.grpc");
    private static final java.util.logging.Logger OKHTTP_LOG = java.util.logging.Logger.getLogger("io.grpc.okhttp");

    private PluginServer() {
    }

    public static void serveImporter(String[] args, ConnectorFactory<Importer> factory) {
        ExecutorService workers = workers();
        ImporterService service = new ImporterService(factory, workers);
        serve(args, service, service.slot()::close, workers);
    }

    public static void serveExporter(String[] args, ConnectorFactory<Exporter> factory) {
        ExecutorService workers = workers();
        ExporterService service = new ExporterService(factory, workers);
        serve(args, service, service.slot()::close, workers);
    }

    private static ExecutorService workers() {
        return Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "plugin-worker");
            t.setDaemon(true);
            return t;
        });
    }

    private static void serve(String[] args, BindableService service, Runnable releaseConnector, ExecutorService workers) {
        OutputStream grpcOut;
        try {
            grpcOut = StdioStreams.takeOverStdout();
        } catch (RuntimeException e) {
            System.err.println("plugin: cannot start: " + e.getMessage());
            System.exit(2);
            return;
        }
        if (args.length != 0) {
            System.err.println("usage: this program is a Plakar plugin: it takes no arguments and speaks gRPC on stdin/stdout");
            System.exit(1);
            return;
        }
        GRPC_LOG.setLevel(Level.SEVERE);
        OKHTTP_LOG.setLevel(Level.SEVERE);
        Logger log = LoggerFactory.getLogger(PluginServer.class);

        CountDownLatch done = new CountDownLatch(1);
        Server server;
        try {
            StreamPairSocket socket = Tuning.STDIO_BUFFER > 0
                    ? new StreamPairSocket(new java.io.BufferedInputStream(StdioStreams.stdin(), Tuning.STDIO_BUFFER),
                    new CoalescingOutputStream(grpcOut, Tuning.STDIO_BUFFER))
                    : new StreamPairSocket(StdioStreams.stdin(), grpcOut);
            ServerSocket listener = new OneShotServerSocket(socket);
            server = OkHttpServerBuilder
                    .forPort(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), InsecureServerCredentials.create())
                    .socketFactory(new ServerSocketFactory() {
                        @Override
                        public ServerSocket createServerSocket() {
                            return listener;
                        }

                        @Override
                        public ServerSocket createServerSocket(int port) {
                            return listener;
                        }

                        @Override
                        public ServerSocket createServerSocket(int port, int backlog) {
                            return listener;
                        }

                        @Override
                        public ServerSocket createServerSocket(int port, int backlog, InetAddress address) {
                            return listener;
                        }
                    })
                    .flowControlWindow(FLOW_CONTROL_WINDOW)
                    .maxInboundMessageSize(MAX_INBOUND_MESSAGE)
                    .addTransportFilter(new ServerTransportFilter() {
                        @Override
                        public void transportTerminated(Attributes attributes) {
                            done.countDown();
                        }
                    })
                    .addService(service)
                    .build()
                    .start();
        } catch (IOException | RuntimeException e) {
            System.err.println("plugin: cannot start the gRPC server on stdin/stdout: " + e);
            System.exit(2);
            return;
        }
        try {
            done.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // The host closed the pipes: release children (vzdump, ssh) before leaving.
        log.debug("host closed the connection");
        Thread closer = new Thread(releaseConnector, "release");
        closer.setDaemon(true);
        closer.start();
        try {
            // releasing may stop a Proxmox tool: TERM, up to its stop grace to clean up, then KILL
            closer.join(RELEASE_WAIT.toMillis());
            if (closer.isAlive()) {
                log.error("the connector did not release its resources within {}s; exiting anyway",
                        RELEASE_WAIT.toSeconds());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        server.shutdownNow();
        workers.shutdownNow();
        System.exit(0);
    }
}
