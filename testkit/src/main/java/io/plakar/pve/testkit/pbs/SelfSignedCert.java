package io.plakar.pve.testkit.pbs;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A self-signed EC certificate for 127.0.0.1/localhost made at run time with the running
 * JDK's {@code keytool} (no crypto library needed), and its PBS-style SHA-256 fingerprint.
 */
public final class SelfSignedCert {
    private static final char[] PASS = "changeit".toCharArray();
    private static SelfSignedCert shared;

    private final SSLContext context;
    private final String fingerprint;

    private SelfSignedCert(SSLContext context, String fingerprint) {
        this.context = context;
        this.fingerprint = fingerprint;
    }

    /** One certificate per JVM (keytool takes a second). */
    public static synchronized SelfSignedCert shared() {
        if (shared == null) {
            shared = generate("localhost");
        }
        return shared;
    }

    public static SelfSignedCert generate(String cn) {
        try {
            Path dir = Files.createTempDirectory("fake-pbs-cert");
            Path ks = dir.resolve("server.p12");
            String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
            Process p = new ProcessBuilder(List.of(keytool, "-genkeypair", "-keyalg", "EC", "-groupname", "secp256r1",
                    "-alias", "server", "-dname", "CN=" + cn, "-ext", "SAN=dns:localhost,ip:127.0.0.1",
                    "-validity", "3650", "-storetype", "PKCS12", "-keystore", ks.toString(),
                    "-storepass", new String(PASS), "-keypass", new String(PASS)))
                    .redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("keytool failed: " + new String(out));
            }
            KeyStore store = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(ks)) {
                store.load(in, PASS);
            }
            Files.deleteIfExists(ks);
            Files.deleteIfExists(dir);
            X509Certificate cert = (X509Certificate) store.getCertificate("server");
            String fp = HexFormat.ofDelimiter(":").formatHex(MessageDigest.getInstance("SHA-256").digest(cert.getEncoded()));
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(store, PASS);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), null, null);
            return new SelfSignedCert(ctx, fp);
        } catch (IOException | InterruptedException | java.security.GeneralSecurityException e) {
            throw new IllegalStateException("cannot make a self-signed certificate: " + e, e);
        }
    }

    public SSLContext sslContext() {
        return context;
    }

    /** {@code aa:bb:…} (32 lower-case pairs). */
    public String fingerprint() {
        return fingerprint;
    }
}
