package io.plakar.pve.importer.audit.api;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Pattern;

/** SHA-256 certificate fingerprints in PBS style: 32 lower-case hex pairs joined by ':'. */
public final class Fingerprints {
    /** PBS/PVE {@code fingerprint-sha256}: 32 pairs, case-insensitive. */
    public static final Pattern PATTERN = Pattern.compile("([A-Fa-f0-9]{2}:){31}[A-Fa-f0-9]{2}");

    private Fingerprints() {
    }

    public static boolean valid(String s) {
        return s != null && PATTERN.matcher(s).matches();
    }

    /** Parses a fingerprint into its 32 bytes; throws IllegalArgumentException when malformed. */
    public static byte[] parse(String s) {
        if (!valid(s)) {
            throw new IllegalArgumentException("not a SHA-256 fingerprint (32 hex pairs separated by ':')");
        }
        return HexFormat.of().parseHex(s.replace(":", "").toLowerCase(Locale.ROOT));
    }

    public static String format(byte[] digest) {
        return HexFormat.ofDelimiter(":").formatHex(digest);
    }

    public static byte[] sha256(X509Certificate cert) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(cert.getEncoded());
        } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String of(X509Certificate cert) {
        return format(sha256(cert));
    }
}
