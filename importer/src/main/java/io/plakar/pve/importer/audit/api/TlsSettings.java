package io.plakar.pve.importer.audit.api;

import javax.net.ssl.HostnameVerifier;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.concurrent.atomic.AtomicReference;

/**
 * How to trust the server: a pinned SHA-256 fingerprint of its leaf certificate (the PBS
 * way: self-signed certificates are the norm), the system trust store (default), or no
 * check at all ({@code tls_insecure}, an explicit opt-out that warns on stderr).
 *
 * <p>In pin mode the leaf certificate <em>is</em> the identity, so host-name verification is
 * off for that connection only (a self-signed PBS certificate rarely names the address used
 * to reach it). The trust manager is an {@link X509ExtendedTrustManager}: JSSE would otherwise
 * wrap it and add its own checks.
 */
public final class TlsSettings {
    public enum Mode { SYSTEM, PINNED, INSECURE }

    private final Mode mode;
    private final byte[] pin;
    private final SSLSocketFactory socketFactory;
    private final HostnameVerifier hostnameVerifier;
    /** The fingerprint a server presented when it did not match the pin (for the error). */
    private final AtomicReference<String> lastMismatch = new AtomicReference<>();

    private TlsSettings(Mode mode, byte[] pin) {
        this.mode = mode;
        this.pin = pin;
        try {
            switch (mode) {
                case SYSTEM -> {
                    socketFactory = HttpsURLConnection.getDefaultSSLSocketFactory();
                    hostnameVerifier = HttpsURLConnection.getDefaultHostnameVerifier();
                }
                case PINNED -> {
                    SSLContext ctx = SSLContext.getInstance("TLS");
                    ctx.init(null, new javax.net.ssl.TrustManager[]{new PinningTrustManager()}, null);
                    socketFactory = ctx.getSocketFactory();
                    hostnameVerifier = (host, session) -> true;
                }
                default -> {
                    SSLContext ctx = SSLContext.getInstance("TLS");
                    ctx.init(null, new javax.net.ssl.TrustManager[]{new TrustAll()}, null);
                    socketFactory = ctx.getSocketFactory();
                    hostnameVerifier = (host, session) -> true;
                }
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot set up TLS: " + e.getMessage(), e);
        }
    }

    public static TlsSettings system() {
        return new TlsSettings(Mode.SYSTEM, null);
    }

    /** Pins the leaf certificate's SHA-256 ({@code aa:bb:…}, 32 pairs, any case). */
    public static TlsSettings pinned(String fingerprint) {
        return new TlsSettings(Mode.PINNED, Fingerprints.parse(fingerprint));
    }

    /** No certificate check at all; prints a warning naming {@code what} on stderr. */
    public static TlsSettings insecure(String what) {
        System.err.println("WARNING: " + what + ": TLS certificate verification is disabled (tls_insecure);"
                + " anyone on the network path can read the API token. Pin the certificate with fingerprint instead.");
        return new TlsSettings(Mode.INSECURE, null);
    }

    public Mode mode() {
        return mode;
    }

    SSLSocketFactory socketFactory() {
        return socketFactory;
    }

    HostnameVerifier hostnameVerifier() {
        return hostnameVerifier;
    }

    /** The fingerprint last presented by a server that did not match the pin, or null. */
    String lastMismatch() {
        return lastMismatch.get();
    }

    private final class PinningTrustManager extends ServerOnlyTrustManager {
        @Override
        void check(X509Certificate[] chain) throws CertificateException {
            if (chain == null || chain.length == 0) {
                throw new CertificateException("server sent no certificate");
            }
            byte[] got = Fingerprints.sha256(chain[0]);
            if (!MessageDigest.isEqual(got, pin)) {
                String seen = Fingerprints.format(got);
                lastMismatch.set(seen);
                throw new CertificateException("certificate fingerprint mismatch: server presented " + seen
                        + ", expected " + Fingerprints.format(pin));
            }
        }
    }

    /** tls_insecure: the explicit opt-out, warned about when configured. */
    private static final class TrustAll extends ServerOnlyTrustManager {
        @Override
        void check(X509Certificate[] chain) {
        }
    }

    /** A trust manager for a client: decides on server chains with {@link #check}, refuses client roles. */
    private abstract static class ServerOnlyTrustManager extends X509ExtendedTrustManager {
        abstract void check(X509Certificate[] chain) throws CertificateException;

        @Override
        public final void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            check(chain);
        }

        @Override
        public final void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            check(chain);
        }

        @Override
        public final void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            check(chain);
        }

        @Override
        public final void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            throw new CertificateException("client certificates are not accepted");
        }

        @Override
        public final void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            throw new CertificateException("client certificates are not accepted");
        }

        @Override
        public final void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("client certificates are not accepted");
        }

        @Override
        public final X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
