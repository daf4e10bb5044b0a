package io.plakar.pve.importer.audit.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URL;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The HTTPS core shared by the PBS and PVE clients: API-token header, pinned or system
 * TLS, at most {@code concurrency} requests in flight (keep-alive connections are reused by
 * the JDK once a body is read to the end), connect/read timeouts, and retries with
 * exponential backoff on 5xx, timeouts, resets and truncated bodies — never on 4xx.
 *
 * <p>{@link HttpURLConnection} rather than {@code java.net.http.HttpClient}: PVE puts its
 * error message in the HTTP reason phrase, which only the former exposes.
 */
public final class RestClient implements AutoCloseable {
    public enum Flavor { PBS, PVE }

    /** Tuning. {@code maxAttempts} counts the first try. */
    /** {@code maxBody}: a larger answer is refused, never read into the heap (a million snapshots fit in far less). */
    public record Options(int concurrency, Duration connectTimeout, Duration readTimeout, int maxAttempts, Duration backoff,
                          int maxBody) {
        public static Options defaults() {
            return new Options(8, Duration.ofSeconds(10), Duration.ofSeconds(60), 4, Duration.ofMillis(250), 512 << 20);
        }

        public Options withConcurrency(int n) {
            return new Options(n, connectTimeout, readTimeout, maxAttempts, backoff, maxBody);
        }

        public Options withReadTimeout(Duration d) {
            return new Options(concurrency, connectTimeout, d, maxAttempts, backoff, maxBody);
        }

        public Options withBackoff(int attempts, Duration first) {
            return new Options(concurrency, connectTimeout, readTimeout, attempts, first, maxBody);
        }

        public Options withMaxBody(int bytes) {
            return new Options(concurrency, connectTimeout, readTimeout, maxAttempts, backoff, bytes);
        }
    }

    /** One result of {@link #parallel}: a value or the error of that call. */
    public record Outcome<T>(T value, ApiException error) {
        public boolean ok() {
            return error == null;
        }
    }

    static {
        // Idle keep-alive connections kept per destination (JDK default 5): enough for our pool.
        if (System.getProperty("http.maxConnections") == null) {
            System.setProperty("http.maxConnections", "32");
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RestClient.class);

    private final Flavor flavor;
    private final String label;
    private final String base;
    private final String authorization;
    private final String credentialKeys;
    private final TlsSettings tls;
    private final Options options;
    private final Semaphore permits;
    private final ExecutorService pool;
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong retries = new AtomicLong();
    /** SHA-256 of the leaf certificate of the last TLS session (the server's identity), or null. */
    private final java.util.concurrent.atomic.AtomicReference<String> serverFingerprint =
            new java.util.concurrent.atomic.AtomicReference<>();

    /**
     * @param label          how the server is named in messages, e.g. {@code PBS pbs1:8007}
     * @param authorization  the full Authorization header value (never shown anywhere)
     * @param credentialKeys the config keys to check on 401, e.g. {@code token_id/token_secret}
     */
    public RestClient(Flavor flavor, String label, String host, int port, String authorization,
                      String credentialKeys, TlsSettings tls, Options options) {
        this.flavor = flavor;
        this.label = label;
        String h = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
        this.base = "https://" + h + ":" + port + "/api2/json";
        this.authorization = authorization;
        this.credentialKeys = credentialKeys;
        this.tls = tls;
        this.options = options;
        this.permits = new Semaphore(Math.max(1, options.concurrency()));
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(Math.max(1, options.concurrency()), r -> {
            Thread t = new Thread(r, flavor.name().toLowerCase() + "-http-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    public String label() {
        return label;
    }

    public long requestCount() {
        return requests.get();
    }

    public long retryCount() {
        return retries.get();
    }

    /** The certificate fingerprint the server presented in its last TLS handshake, or null before any. */
    public String serverFingerprint() {
        return serverFingerprint.get();
    }

    /** GET a JSON endpoint; returns the whole body ({@code {"data": …}}). */
    public JsonNode get(String path, Map<String, String> query) throws ApiException {
        return withRetries(path, query, true).json;
    }

    /** GET a raw (non-JSON) endpoint such as {@code download-decoded}. */
    public byte[] getBytes(String path, Map<String, String> query) throws ApiException {
        return withRetries(path, query, false).raw;
    }

    /** Runs the calls on the bounded pool and returns their outcomes in order. */
    public <T> List<Outcome<T>> parallel(Collection<? extends Callable<T>> calls) throws InterruptedException {
        List<Future<T>> futures = new ArrayList<>(calls.size());
        for (Callable<T> c : calls) {
            futures.add(pool.submit(c));
        }
        List<Outcome<T>> out = new ArrayList<>(futures.size());
        for (Future<T> f : futures) {
            try {
                out.add(new Outcome<>(f.get(), null));
            } catch (ExecutionException e) {
                Throwable c = e.getCause();
                ApiException ae = c instanceof ApiException a ? a
                        : new ApiException(ApiException.Kind.IO, 0, label + ": " + c, c);
                out.add(new Outcome<>(null, ae));
            } catch (InterruptedException e) {
                for (Future<T> g : futures) {
                    g.cancel(true);
                }
                throw e;
            }
        }
        return out;
    }

    private record Body(JsonNode json, byte[] raw) {
    }

    private Body withRetries(String path, Map<String, String> query, boolean json) throws ApiException {
        int attempt = 0;
        while (true) {
            attempt++;
            try {
                return once(path, query, json);
            } catch (ApiException e) {
                if (!e.retryable() || attempt >= options.maxAttempts()) {
                    if (attempt > 1 && e.retryable()) {
                        throw new ApiException(e.kind(), e.status(), e.getMessage() + " (after " + attempt + " attempts)", e);
                    }
                    throw e;
                }
                retries.incrementAndGet();
                LOG.warn("{} (attempt {} of {}, retrying)", e.getMessage(), attempt, options.maxAttempts());
                long delay = options.backoff().toMillis() << Math.min(attempt - 1, 6);
                delay += ThreadLocalRandom.current().nextLong(Math.max(1, delay / 4));
                try {
                    Thread.sleep(delay);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new ApiException(ApiException.Kind.IO, 0, label + " " + path + ": interrupted", ie);
                }
            }
        }
    }

    String url(String path, Map<String, String> query) {
        StringBuilder sb = new StringBuilder(base).append(path);
        if (query != null && !query.isEmpty()) {
            char sep = '?';
            for (Map.Entry<String, String> e : query.entrySet()) {
                sb.append(sep).append(enc(e.getKey())).append('=').append(enc(e.getValue()));
                sep = '&';
            }
        }
        return sb.toString();
    }

    /** Percent-encodes one path segment or query value. */
    public static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private Body once(String path, Map<String, String> query, boolean json) throws ApiException {
        String what = label + " GET " + path;
        try {
            permits.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(ApiException.Kind.IO, 0, what + ": interrupted", e);
        }
        HttpURLConnection c = null;
        try {
            requests.incrementAndGet();
            URL url = URI.create(url(path, query)).toURL();
            c = (HttpURLConnection) url.openConnection();
            if (c instanceof HttpsURLConnection https) {
                https.setSSLSocketFactory(tls.socketFactory());
                https.setHostnameVerifier(tls.hostnameVerifier());
            }
            c.setConnectTimeout((int) options.connectTimeout().toMillis());
            c.setReadTimeout((int) options.readTimeout().toMillis());
            c.setInstanceFollowRedirects(false);
            c.setUseCaches(false);
            c.setRequestProperty("Authorization", authorization);
            c.setRequestProperty("Accept", json ? "application/json" : "*/*");
            int status = c.getResponseCode();
            if (c instanceof HttpsURLConnection https) {
                rememberCertificate(https);
            }
            if (status >= 200 && status < 300) {
                byte[] body = readAll(c.getInputStream(), options.maxBody(), what);
                if (!json) {
                    return new Body(null, body);
                }
                try {
                    JsonNode node = JSON.readTree(body);
                    if (node == null || !node.isObject()) {
                        throw new ApiException(ApiException.Kind.MALFORMED, status, what + ": malformed JSON response (not an object)");
                    }
                    return new Body(node, null);
                } catch (JsonProcessingException e) {
                    throw new ApiException(ApiException.Kind.MALFORMED, status,
                            what + ": malformed JSON response: " + e.getOriginalMessage(), e);
                }
            }
            InputStream es = c.getErrorStream();
            byte[] body = es == null ? new byte[0] : readPrefix(es, MAX_ERROR_BODY);
            throw httpError(what, status, c.getResponseMessage(), body);
        } catch (ApiException e) {
            throw e;
        } catch (SSLHandshakeException e) {
            throw tlsError(what, e);
        } catch (SSLException e) {
            if (tls.lastMismatch() != null && tls.mode() == TlsSettings.Mode.PINNED) {
                throw tlsError(what, e);
            }
            throw new ApiException(ApiException.Kind.IO, 0, what + ": TLS error: " + e.getMessage(), e);
        } catch (SocketTimeoutException e) {
            throw new ApiException(ApiException.Kind.IO, 0, what + ": timed out (" + e.getMessage() + ")", e);
        } catch (UnknownHostException e) {
            throw new ApiException(ApiException.Kind.CLIENT, 0, what + ": unknown host " + e.getMessage(), e);
        } catch (ConnectException e) {
            throw new ApiException(ApiException.Kind.IO, 0, what + ": cannot connect: " + e.getMessage(), e);
        } catch (IOException e) {
            Throwable cause = e.getCause();
            if (cause instanceof java.security.cert.CertificateException) {
                throw tlsError(what, e);
            }
            throw new ApiException(ApiException.Kind.IO, 0, what + ": " + e, e);
        } finally {
            permits.release();
        }
    }

    private void rememberCertificate(HttpsURLConnection https) {
        try {
            java.security.cert.Certificate[] chain = https.getServerCertificates();
            if (chain.length > 0 && chain[0] instanceof java.security.cert.X509Certificate leaf) {
                serverFingerprint.set(Fingerprints.of(leaf));
            }
        } catch (javax.net.ssl.SSLPeerUnverifiedException | IllegalStateException ignored) {
            // no TLS session (cannot happen after a response): identity stays unknown
        }
    }

    private ApiException tlsError(String what, IOException e) {
        String seen = tls.lastMismatch();
        if (tls.mode() == TlsSettings.Mode.PINNED && seen != null) {
            return new ApiException(ApiException.Kind.TLS, 0, what + ": TLS certificate refused: the server presented fingerprint "
                    + seen + ", which does not match the configured fingerprint", e);
        }
        if (tls.mode() == TlsSettings.Mode.SYSTEM) {
            return new ApiException(ApiException.Kind.TLS, 0, what + ": TLS certificate not trusted by the system trust store ("
                    + e.getMessage() + "); pin the server certificate with fingerprint=<sha256> (shown in the PBS dashboard)", e);
        }
        return new ApiException(ApiException.Kind.TLS, 0, what + ": TLS handshake failed: " + e.getMessage(), e);
    }

    private ApiException httpError(String what, int status, String reason, byte[] body) {
        String detail = errorText(status, reason, body);
        String suffix = detail.isEmpty() ? "" : ": " + detail;
        if (status == 401) {
            return new ApiException(ApiException.Kind.AUTH, status,
                    "authentication failed: check " + credentialKeys + " (" + what + ": HTTP 401" + suffix + ")");
        }
        if (status == 403) {
            return new ApiException(ApiException.Kind.FORBIDDEN, status, what + ": HTTP 403" + suffix);
        }
        if (status == 404) {
            return new ApiException(ApiException.Kind.NOT_FOUND, status, what + ": HTTP 404" + suffix);
        }
        if (status == 501) {
            // "Method ... not implemented": the endpoint does not exist on this version; asking again cannot help
            return new ApiException(ApiException.Kind.NOT_IMPLEMENTED, status, what + ": HTTP 501" + suffix);
        }
        if (status >= 500) {
            return new ApiException(ApiException.Kind.SERVER, status, what + ": HTTP " + status + suffix);
        }
        return new ApiException(ApiException.Kind.CLIENT, status, what + ": HTTP " + status + suffix);
    }

    /**
     * PBS: the body is the plain error text (despite the JSON content type). PVE: the body is
     * {@code {"data":null}} with the message in the reason phrase, or since 2025 also in
     * {@code message}.
     */
    String errorText(int status, String reason, byte[] body) {
        String text = new String(body, StandardCharsets.UTF_8).strip();
        if (flavor == Flavor.PVE) {
            String msg = null;
            try {
                JsonNode n = JSON.readTree(text);
                if (n != null && n.hasNonNull("message")) {
                    msg = n.get("message").asText().strip();
                }
                if (n != null && n.has("errors") && n.get("errors").isObject()) {
                    Map<String, String> errs = new LinkedHashMap<>();
                    n.get("errors").fields().forEachRemaining(f -> errs.put(f.getKey(), f.getValue().asText().strip()));
                    msg = (msg == null ? (reason == null ? "" : reason) : msg) + " " + errs;
                }
            } catch (IOException ignored) {
                // not JSON: fall back to the reason phrase
            }
            if (msg != null && !msg.isBlank()) {
                return msg;
            }
            return reason == null ? "" : reason;
        }
        if (text.length() > 500) {
            text = text.substring(0, 500) + "…";
        }
        if (text.isEmpty() && reason != null) {
            return reason;
        }
        return text;
    }

    /** An error body only feeds a message. */
    static final int MAX_ERROR_BODY = 64 << 10;

    private static byte[] readAll(InputStream in, int max, String what) throws IOException {
        try (in) {
            byte[] b = in.readNBytes(max + 1);
            if (b.length > max) {
                throw new IOException(what + ": the answer is larger than " + max + " bytes; not read");
            }
            return b;
        }
    }

    private static byte[] readPrefix(InputStream in, int max) throws IOException {
        try (in) {
            return in.readNBytes(max);
        }
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
