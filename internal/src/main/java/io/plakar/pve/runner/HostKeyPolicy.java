package io.plakar.pve.runner;

import net.schmizz.sshj.common.Buffer;
import net.schmizz.sshj.common.KeyType;
import net.schmizz.sshj.transport.verification.HostKeyVerifier;
import net.schmizz.sshj.transport.verification.OpenSSHKnownHosts;

import java.io.File;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * How a node's SSH host key is checked: against an OpenSSH known_hosts file (plain, hashed
 * and {@code [host]:port} entries), against one pinned {@code SHA256:} fingerprint, or not
 * at all (explicit, loudly warned opt-out). A failed check always refuses the connection.
 */
public final class HostKeyPolicy {
    public enum Kind { KNOWN_HOSTS, PINNED, INSECURE }

    /** {@code SHA256:} followed by 43 characters of unpadded standard base64 (32 bytes). */
    public static final Pattern FINGERPRINT = Pattern.compile("SHA256:[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]");

    private final Kind kind;
    private final Path knownHosts;
    private final String fingerprint;

    private HostKeyPolicy(Kind kind, Path knownHosts, String fingerprint) {
        this.kind = kind;
        this.knownHosts = knownHosts;
        this.fingerprint = fingerprint;
    }

    public static HostKeyPolicy knownHosts(Path file) {
        return new HostKeyPolicy(Kind.KNOWN_HOSTS, Objects.requireNonNull(file), null);
    }

    public static HostKeyPolicy pinned(String sha256Fingerprint) {
        if (!FINGERPRINT.matcher(sha256Fingerprint).matches()) {
            throw new IllegalArgumentException("not a SHA256: fingerprint");
        }
        return new HostKeyPolicy(Kind.PINNED, null, sha256Fingerprint);
    }

    public static HostKeyPolicy insecure() {
        return new HostKeyPolicy(Kind.INSECURE, null, null);
    }

    public static Path defaultKnownHosts() {
        return Path.of(System.getProperty("user.home"), ".ssh", "known_hosts");
    }

    public Kind kind() { return kind; }
    public Path knownHostsFile() { return knownHosts; }
    public String fingerprint() { return fingerprint; }

    @Override
    public String toString() {
        return switch (kind) {
            case KNOWN_HOSTS -> "known_hosts " + knownHosts;
            case PINNED -> "pinned " + fingerprint;
            case INSECURE -> "NOT VERIFIED (ssh_insecure_ignore_host_key)";
        };
    }

    /** OpenSSH's fingerprint of a key: {@code SHA256:} + unpadded base64 of the SHA-256 of the key blob. */
    public static String sha256Fingerprint(PublicKey key) {
        byte[] blob = new Buffer.PlainBuffer().putPublicKey(key).getCompactData();
        return sha256Fingerprint(blob);
    }

    public static String sha256Fingerprint(byte[] keyBlob) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(keyBlob);
            return "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(d);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A fresh verifier for one connection attempt; it remembers why it refused. */
    public Verifier newVerifier() throws IOException {
        return new Verifier(this);
    }

    public enum Outcome { NOT_CHECKED, ACCEPTED, ACCEPTED_INSECURE, UNKNOWN, MISMATCH }

    /** The sshj verifier. After a refusal, {@link #outcome()} and {@link #offered()} explain it. */
    public static final class Verifier implements HostKeyVerifier {
        private final HostKeyPolicy policy;
        private final OpenSSHKnownHosts known;
        private volatile Outcome outcome = Outcome.NOT_CHECKED;
        private volatile String offeredType;
        private volatile String offeredFingerprint;

        Verifier(HostKeyPolicy policy) throws IOException {
            this.policy = policy;
            if (policy.kind == Kind.KNOWN_HOSTS) {
                File f = policy.knownHosts.toFile();
                this.known = Files.isRegularFile(policy.knownHosts)
                        ? new RecordingKnownHosts(f, this) : new RecordingKnownHosts(this);
            } else {
                this.known = null;
            }
        }

        @Override
        public boolean verify(String hostname, int port, PublicKey key) {
            offeredType = KeyType.fromKey(key).toString();
            offeredFingerprint = sha256Fingerprint(key);
            switch (policy.kind) {
                case INSECURE:
                    outcome = Outcome.ACCEPTED_INSECURE;
                    return true;
                case PINNED:
                    outcome = MessageDigest.isEqual(offeredFingerprint.getBytes(), policy.fingerprint.getBytes())
                            ? Outcome.ACCEPTED : Outcome.MISMATCH;
                    return outcome == Outcome.ACCEPTED;
                default:
                    outcome = Outcome.NOT_CHECKED;
                    boolean ok = known.verify(hostname, port, key);
                    if (ok) {
                        outcome = Outcome.ACCEPTED;
                    } else if (outcome == Outcome.NOT_CHECKED) {
                        outcome = Outcome.UNKNOWN;
                    }
                    return ok;
            }
        }

        @Override
        public List<String> findExistingAlgorithms(String hostname, int port) {
            return known == null ? List.of() : known.findExistingAlgorithms(hostname, port);
        }

        public Outcome outcome() { return outcome; }
        /** {@code ssh-ed25519 SHA256:...} of the key the server offered, or null before key exchange. */
        public String offered() {
            return offeredType == null ? null : offeredType + " " + offeredFingerprint;
        }
        public String offeredFingerprint() { return offeredFingerprint; }

        /**
         * The user-facing explanation of a refusal for {@code host:port}, or null when the key
         * was not refused.
         */
        public String refusalMessage(String host, int port) {
            String hp = host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
            String keyscan = "ssh-keyscan -p " + port + " " + host + " >> " + (policy.knownHosts != null
                    ? policy.knownHosts : defaultKnownHosts());
            if (outcome == Outcome.UNKNOWN) {
                return "ssh: the host key of " + hp + " is unknown (not in " + policy.knownHosts + "); the server offered "
                        + offered() + ". Check that fingerprint on the node (ssh-keygen -lf /etc/ssh/ssh_host_"
                        + keyFileSuffix() + "_key.pub), then either run `" + keyscan + "` or set ssh_host_key_fingerprint="
                        + offeredFingerprint + "; refusing to connect";
            }
            if (outcome == Outcome.MISMATCH) {
                String expected = policy.kind == Kind.PINNED
                        ? "ssh_host_key_fingerprint is " + policy.fingerprint
                        : "a different key for this host is recorded in " + policy.knownHosts;
                return "ssh: HOST KEY MISMATCH for " + hp + ": the server offered " + offered() + " but " + expected
                        + ". This is a possible man-in-the-middle attack (or the node was reinstalled); refusing to "
                        + "connect. Only if you verified the new key on the node, update "
                        + (policy.kind == Kind.PINNED ? "ssh_host_key_fingerprint" : "the known_hosts entry (ssh-keygen -R "
                        + (port == 22 ? host : "'[" + host + "]:" + port + "'") + " -f " + policy.knownHosts + ")");
            }
            return null;
        }

        private String keyFileSuffix() {
            if (offeredType == null) {
                return "*";
            }
            if (offeredType.contains("ed25519")) {
                return "ed25519";
            }
            if (offeredType.contains("ecdsa")) {
                return "ecdsa";
            }
            return offeredType.contains("rsa") ? "rsa" : "*";
        }

        private void markMismatch() {
            outcome = Outcome.MISMATCH;
        }

        private void markUnknown() {
            outcome = Outcome.UNKNOWN;
        }
    }

    /** sshj's known_hosts parser, with the interactive "unknown"/"changed" hooks turned into refusals we can explain. */
    private static final class RecordingKnownHosts extends OpenSSHKnownHosts {
        private final Verifier owner;

        RecordingKnownHosts(File f, Verifier owner) throws IOException {
            super(f);
            this.owner = owner;
        }

        RecordingKnownHosts(Verifier owner) throws IOException {
            super(new StringReader(""));
            this.owner = owner;
        }

        @Override
        protected boolean hostKeyUnverifiableAction(String hostname, PublicKey key) {
            owner.markUnknown();
            return false;
        }

        @Override
        protected boolean hostKeyChangedAction(String hostname, PublicKey key) {
            owner.markMismatch();
            return false;
        }
    }
}
