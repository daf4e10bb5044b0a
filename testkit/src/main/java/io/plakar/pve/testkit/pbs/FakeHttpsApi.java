package io.plakar.pve.testkit.pbs;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The HTTPS plumbing shared by {@link FakePbs} and {@link FakePve}: a real TLS server on
 * 127.0.0.1 with a self-signed certificate, API-token checks, per-path faults and counters.
 */
public abstract class FakeHttpsApi implements AutoCloseable {
    protected static final ObjectMapper JSON = new ObjectMapper();
    protected static final JsonFactory FACTORY = JSON.getFactory();
    private static final String PREFIX = "/api2/json";

    private final SelfSignedCert cert;
    private HttpsServer server;
    private ExecutorService pool;
    private final Map<String, Fault> faults = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> faultHits = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();
    private final AtomicLong requests = new AtomicLong();
    private volatile String expectedAuth;
    private volatile long authFailureDelayMillis;

    protected FakeHttpsApi(SelfSignedCert cert) {
        this.cert = cert;
    }

    /** Starts on 127.0.0.1 with an ephemeral port. */
    public synchronized void start() {
        try {
            server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 128);
            server.setHttpsConfigurator(new HttpsConfigurator(cert.sslContext()));
            pool = Executors.newFixedThreadPool(16, r -> {
                Thread t = new Thread(r, getClass().getSimpleName() + "-http");
                t.setDaemon(true);
                return t;
            });
            server.setExecutor(pool);
            server.createContext("/", this::dispatch);
            server.start();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public String host() {
        return "127.0.0.1";
    }

    public String url() {
        return "https://127.0.0.1:" + port();
    }

    /** The SHA-256 fingerprint of the server certificate, PBS style. */
    public String fingerprint() {
        return cert.fingerprint();
    }

    /** The exact Authorization header to accept; anything else gets 401. */
    protected void expectAuthorization(String header) {
        this.expectedAuth = header;
    }

    /** Real servers answer a bad token after ~3 s; tests keep 0. */
    public void authFailureDelay(long millis) {
        this.authFailureDelayMillis = millis;
    }

    /** Injects a fault for an API path such as {@code /admin/datastore/store1/snapshots} (no prefix, no query). */
    public void fault(String path, Fault fault) {
        faults.put(path, fault);
        faultHits.put(path, new AtomicInteger());
    }

    public void clearFaults() {
        faults.clear();
    }

    public long requestCount() {
        return requests.get();
    }

    /** Requests seen for an API path (no prefix, no query). */
    public int hits(String path) {
        AtomicInteger n = hits.get(path);
        return n == null ? 0 : n.get();
    }

    private void dispatch(HttpExchange ex) throws IOException {
        requests.incrementAndGet();
        try (ex) {
            try {
                serve(ex);
            } catch (RuntimeException e) {
                // answered before the exchange closes (a closed exchange cannot carry the 500)
                error(ex, 500, "fake server error: " + e);
            }
        }
    }

    private void serve(HttpExchange ex) throws IOException {
        {
            String raw = ex.getRequestURI().getRawPath();
            if (!raw.startsWith(PREFIX)) {
                plain(ex, 404, "Path '" + raw + "' not found.");
                return;
            }
            String path = URLDecoder.decode(raw.substring(PREFIX.length()), StandardCharsets.UTF_8);
            hits.computeIfAbsent(path, k -> new AtomicInteger()).incrementAndGet();
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            if (expectedAuth != null && !expectedAuth.equals(auth)) {
                sleep(authFailureDelayMillis);
                unauthorized(ex);
                return;
            }
            Fault f = faults.get(path);
            if (f != null && faultHits.get(path).incrementAndGet() <= f.times()) {
                switch (f.type()) {
                    case STATUS -> {
                        error(ex, f.status(), f.body());
                        return;
                    }
                    case DELAY -> sleep(f.delayMillis());
                    case CLOSE_EARLY -> {
                        ex.getResponseHeaders().set("Content-Type", "application/json;charset=UTF-8");
                        ex.sendResponseHeaders(200, 1000);
                        ex.getResponseBody().write("{\"data\":[".getBytes(StandardCharsets.UTF_8));
                        ex.getResponseBody().flush();
                        // closing the exchange now leaves the fixed-length body short: the client sees EOF
                        return;
                    }
                    case MALFORMED_JSON -> {
                        byte[] b = "{\"data\":[{\"backup-type\":\"vm\",".getBytes(StandardCharsets.UTF_8);
                        ex.getResponseHeaders().set("Content-Type", "application/json;charset=UTF-8");
                        ex.sendResponseHeaders(200, b.length);
                        ex.getResponseBody().write(b);
                        return;
                    }
                    default -> {
                    }
                }
            }
            handle(ex, path, query(ex.getRequestURI().getRawQuery()));
        }
    }

    /** Serves one authenticated request. */
    protected abstract void handle(HttpExchange ex, String path, Map<String, String> query) throws IOException;

    /** The flavor's 401. */
    protected abstract void unauthorized(HttpExchange ex) throws IOException;

    /** The flavor's error body for a status. */
    protected abstract void error(HttpExchange ex, int status, String message) throws IOException;

    protected static Map<String, String> query(String raw) {
        Map<String, String> q = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return q;
        }
        for (String part : raw.split("&")) {
            int eq = part.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? part : part.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8);
            q.put(k, v);
        }
        return q;
    }

    protected static void plain(HttpExchange ex, int status, String text) throws IOException {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json;charset=UTF-8");
        ex.sendResponseHeaders(status, b.length == 0 ? -1 : b.length);
        if (b.length > 0) {
            ex.getResponseBody().write(b);
        }
    }

    protected static void raw(HttpExchange ex, byte[] body, String contentType) throws IOException {
        ex.getResponseHeaders().set("Content-Type", contentType);
        ex.sendResponseHeaders(200, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            ex.getResponseBody().write(body);
        }
    }

    /** {@code {"data": value}} plus extra top-level fields. */
    protected static void data(HttpExchange ex, Object value, Map<String, Object> extra) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("data", value);
        if (extra != null) {
            m.putAll(extra);
        }
        byte[] b = JSON.writeValueAsBytes(m);
        raw(ex, b, "application/json;charset=UTF-8");
    }

    /** Streams a JSON body of unknown length (chunked) from a writer. */
    protected static void stream(HttpExchange ex, JsonWriter w) throws IOException {
        ex.getResponseHeaders().set("Content-Type", "application/json;charset=UTF-8");
        ex.sendResponseHeaders(200, 0);
        OutputStream os = new java.io.BufferedOutputStream(ex.getResponseBody(), 65536);
        try (JsonGenerator g = FACTORY.createGenerator(os)) {
            w.write(g);
        }
        os.flush();
    }

    @FunctionalInterface
    protected interface JsonWriter {
        void write(JsonGenerator g) throws IOException;
    }

    private static void sleep(long millis) {
        if (millis <= 0) {
            return;
        }
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public synchronized void close() {
        if (server != null) {
            server.stop(0);
            pool.shutdownNow();
            server = null;
        }
    }
}
