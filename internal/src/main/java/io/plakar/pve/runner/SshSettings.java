package io.plakar.pve.runner;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Everything needed to open an SSH connection to one node. Immutable; {@link #toString()}
 * never shows a secret (password, key text, passphrase).
 */
public final class SshSettings {
    public enum AuthMethod { PASSWORD, IDENTITY, AGENT }

    /** Ciphers a user may force with {@code ssh_cipher} (all are supported by sshj and OpenSSH). */
    public static final List<String> ALLOWED_CIPHERS = List.of(
            "aes128-gcm@openssh.com", "aes256-gcm@openssh.com", "chacha20-poly1305@openssh.com",
            "aes128-ctr", "aes192-ctr", "aes256-ctr");

    /** Default preference: AES-GCM first (AES-NI + CLMUL intrinsics in the JDK and in OpenSSL). */
    public static final String DEFAULT_CIPHER = "aes128-gcm@openssh.com";

    private final String host;
    private final int port;
    private final String username;
    private final AuthMethod authMethod;
    private final String password;
    private final Path identityFile;
    private final String identityKey;
    private final String identityPassphrase;
    private final HostKeyPolicy hostKeyPolicy;
    private final int retryCount;
    private final Duration retryDelay;
    private final String cipher;
    private final Duration connectTimeout;
    private final Duration stopGrace;

    private SshSettings(Builder b) {
        this.host = Objects.requireNonNull(b.host, "host");
        this.port = b.port;
        this.username = Objects.requireNonNull(b.username, "username");
        this.authMethod = Objects.requireNonNull(b.authMethod, "authMethod");
        this.password = b.password;
        this.identityFile = b.identityFile;
        this.identityKey = b.identityKey;
        this.identityPassphrase = b.identityPassphrase;
        this.hostKeyPolicy = Objects.requireNonNull(b.hostKeyPolicy, "hostKeyPolicy");
        this.retryCount = b.retryCount;
        this.retryDelay = b.retryDelay;
        this.cipher = b.cipher;
        this.connectTimeout = b.connectTimeout;
        this.stopGrace = b.stopGrace;
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        if (cipher != null && !ALLOWED_CIPHERS.contains(cipher)) {
            throw new IllegalArgumentException("unsupported cipher " + cipher);
        }
        if (authMethod == AuthMethod.PASSWORD && password == null) {
            throw new IllegalArgumentException("password authentication without a password");
        }
        if (authMethod == AuthMethod.IDENTITY && (identityFile == null) == (identityKey == null)) {
            throw new IllegalArgumentException("identity authentication needs exactly one of identity file or key");
        }
    }

    public static Builder builder(String host, String username) {
        return new Builder(host, username);
    }

    /** A copy that targets another host (same credentials and policies): one per cluster node. */
    public SshSettings withHost(String newHost, int newPort) {
        Builder b = toBuilder();
        b.host = newHost;
        b.port = newPort;
        return b.build();
    }

    public Builder toBuilder() {
        Builder b = new Builder(host, username);
        b.port = port;
        b.authMethod = authMethod;
        b.password = password;
        b.identityFile = identityFile;
        b.identityKey = identityKey;
        b.identityPassphrase = identityPassphrase;
        b.hostKeyPolicy = hostKeyPolicy;
        b.retryCount = retryCount;
        b.retryDelay = retryDelay;
        b.cipher = cipher;
        b.connectTimeout = connectTimeout;
        b.stopGrace = stopGrace;
        return b;
    }

    public String host() { return host; }
    public int port() { return port; }
    public String username() { return username; }
    public AuthMethod authMethod() { return authMethod; }
    public String password() { return password; }
    public Path identityFile() { return identityFile; }
    public String identityKey() { return identityKey; }
    public String identityPassphrase() { return identityPassphrase; }
    public HostKeyPolicy hostKeyPolicy() { return hostKeyPolicy; }
    public int retryCount() { return retryCount; }
    public Duration retryDelay() { return retryDelay; }
    /** The forced cipher, or null for the default preference list. */
    public String cipher() { return cipher; }
    public Duration connectTimeout() { return connectTimeout; }
    /** How long a stopped Proxmox tool gets between TERM and KILL to release its locks. */
    public Duration stopGrace() { return stopGrace; }

    /** {@code user@host:port}, for messages. */
    public String target() {
        String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        return username + "@" + h + ":" + port;
    }

    @Override
    public String toString() {
        return "SshSettings{" + target() + ", auth=" + authMethod.name().toLowerCase()
                + (identityFile != null ? ", identity_file=" + identityFile : "")
                + (identityKey != null ? ", identity_key=(hidden)" : "")
                + (identityPassphrase != null ? ", passphrase=(hidden)" : "")
                + (password != null ? ", password=(hidden)" : "")
                + ", hostkeys=" + hostKeyPolicy + ", retries=" + retryCount + "x" + retryDelay.toMillis() + "ms"
                + (cipher != null ? ", cipher=" + cipher : "") + "}";
    }

    public static final class Builder {
        private String host;
        private int port = 22;
        private final String username;
        private AuthMethod authMethod = AuthMethod.IDENTITY;
        private String password;
        private Path identityFile;
        private String identityKey;
        private String identityPassphrase;
        private HostKeyPolicy hostKeyPolicy = HostKeyPolicy.knownHosts(HostKeyPolicy.defaultKnownHosts());
        private int retryCount = 3;
        private Duration retryDelay = Duration.ofSeconds(2);
        private String cipher;
        private Duration connectTimeout = Duration.ofSeconds(15);
        private Duration stopGrace = RunningCommand.DEFAULT_STOP_GRACE;

        private Builder(String host, String username) {
            this.host = host;
            this.username = username;
        }

        public Builder port(int p) { this.port = p; return this; }
        public Builder password(String pw) { this.authMethod = AuthMethod.PASSWORD; this.password = pw; return this; }
        public Builder identityFile(Path f) { this.authMethod = AuthMethod.IDENTITY; this.identityFile = f; this.identityKey = null; return this; }
        public Builder identityKey(String keyText) { this.authMethod = AuthMethod.IDENTITY; this.identityKey = keyText; this.identityFile = null; return this; }
        public Builder identityPassphrase(String p) { this.identityPassphrase = p; return this; }
        public Builder agent() { this.authMethod = AuthMethod.AGENT; return this; }
        public Builder hostKeyPolicy(HostKeyPolicy p) { this.hostKeyPolicy = p; return this; }
        public Builder retries(int count, Duration delay) { this.retryCount = count; this.retryDelay = delay; return this; }
        public Builder cipher(String c) { this.cipher = c; return this; }
        public Builder connectTimeout(Duration d) { this.connectTimeout = d; return this; }
        public Builder stopGrace(Duration d) { this.stopGrace = d; return this; }

        public SshSettings build() {
            return new SshSettings(this);
        }
    }
}
