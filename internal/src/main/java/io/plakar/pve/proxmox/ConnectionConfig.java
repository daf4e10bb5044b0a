package io.plakar.pve.proxmox;

import io.plakar.pve.config.ConfigReader;
import io.plakar.pve.config.Endpoint;
import io.plakar.pve.runner.HostKeyPolicy;
import io.plakar.pve.runner.SshSettings;
import io.plakar.pve.runner.SshTransportRules;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The connection keys shared by the proxmox+backup importer and exporter (the keys of the Go
 * plugin keep their meaning, as users of the Go plugin know them, plus the SSH hardening keys). {@link
 * #read(ConfigReader)} validates every key and reports problems through the reader (the
 * caller calls {@link ConfigReader#finish()}); it never throws for bad input.
 *
 * <p>In {@code mode=local} the {@code conn_*} keys are accepted and ignored. {@link
 * #toString()} never shows a secret.
 */
public final class ConnectionConfig {
    public enum Mode { LOCAL, REMOTE }
    public enum ConnMethod { PASSWORD, IDENTITY, AGENT }
    public enum SshTransport { SSHJ, OPENSSH }

    public static final String LOCATION = "location";
    public static final String MODE = "mode";
    public static final String CONN_METHOD = "conn_method";
    public static final String CONN_USERNAME = "conn_username";
    public static final String CONN_PASSWORD = "conn_password";
    public static final String CONN_IDENTITY_FILE = "conn_identity_file";
    public static final String CONN_IDENTITY_KEY = "conn_identity_key";
    public static final String CONN_IDENTITY_PASSPHRASE = "conn_identity_passphrase";
    public static final String CONN_PORT = "conn_port";
    public static final String SSH_KNOWN_HOSTS = "ssh_known_hosts";
    public static final String SSH_HOST_KEY_FINGERPRINT = "ssh_host_key_fingerprint";
    public static final String SSH_INSECURE = "ssh_insecure_ignore_host_key";
    public static final String SSH_RETRY_COUNT = "ssh_retry_count";
    public static final String SSH_RETRY_DELAY = "ssh_retry_delay";
    public static final String SSH_TRANSPORT = "ssh_transport";
    public static final String SSH_CIPHER = "ssh_cipher";
    public static final String NODE = "node";
    public static final String NODE_HOSTS = "node_hosts";
    public static final String DUMP_DIR = "dump_dir";
    public static final String CLEANUP = "cleanup";
    public static final String MAX_NODES_PARALLEL = "max_nodes_parallel";
    public static final String STOP_TIMEOUT = "stop_timeout";

    /** Every key read here (the connector adds its own, e.g. backup_mode). */
    public static final List<String> KEYS = List.of(LOCATION, MODE, CONN_METHOD, CONN_USERNAME, CONN_PASSWORD,
            CONN_IDENTITY_FILE, CONN_IDENTITY_KEY, CONN_IDENTITY_PASSPHRASE, CONN_PORT, SSH_KNOWN_HOSTS,
            SSH_HOST_KEY_FINGERPRINT, SSH_INSECURE, SSH_RETRY_COUNT, SSH_RETRY_DELAY, SSH_TRANSPORT, SSH_CIPHER, NODE,
            NODE_HOSTS, DUMP_DIR, CLEANUP, MAX_NODES_PARALLEL, STOP_TIMEOUT);
    public static final List<String> SECRET_KEYS = List.of(CONN_PASSWORD, CONN_IDENTITY_KEY, CONN_IDENTITY_PASSPHRASE);

    public static final String DEFAULT_DUMP_DIR = "/var/lib/vz/dump";
    public static final Pattern NODE_NAME = Pattern.compile("[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?");
    /** POSIX-ish login names; upper case is accepted for existing directory-service accounts. */
    public static final Pattern USERNAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_.-]{0,31}");
    private static final Duration MAX_RETRY_DELAY = Duration.ofMinutes(10);

    private String location = "";
    private String host = "";
    private Mode mode = Mode.LOCAL;
    private ConnMethod connMethod;
    private String username;
    private String password;
    private Path identityFile;
    private String identityKey;
    private String identityPassphrase;
    private int port = 22;
    private Path knownHosts = HostKeyPolicy.defaultKnownHosts();
    private String hostKeyFingerprint;
    private boolean insecureIgnoreHostKey;
    private int retryCount = 3;
    private Duration retryDelay = Duration.ofSeconds(2);
    private SshTransport transport = SshTransport.SSHJ;
    private String cipher;
    private String node;
    private Map<String, String> nodeHosts = Map.of();
    private String dumpDir = DEFAULT_DUMP_DIR;
    private boolean cleanup = true;
    private int maxNodesParallel = 1;
    private Duration stopTimeout = io.plakar.pve.runner.RunningCommand.DEFAULT_STOP_GRACE;

    private ConnectionConfig() {
    }

    /** Reads and validates the connection keys; problems go to {@code r}. */
    public static ConnectionConfig read(ConfigReader r) {
        ConnectionConfig c = new ConnectionConfig();
        r.secret(CONN_PASSWORD, CONN_IDENTITY_KEY, CONN_IDENTITY_PASSPHRASE);

        Optional<String> modeValue = r.oneOf(MODE, List.of("local", "remote"));
        if (!r.has(MODE)) {
            r.problem(MODE, "is required (local or remote)");
        }
        c.mode = modeValue.map(m -> m.equals("remote") ? Mode.REMOTE : Mode.LOCAL).orElse(Mode.LOCAL);
        boolean remote = c.mode == Mode.REMOTE && modeValue.isPresent();

        Integer locationPort = null;
        Optional<String> loc = r.string(LOCATION);
        if (loc.isPresent()) {
            c.location = loc.get();
            try {
                Endpoint e = Endpoint.parse("proxmox+backup", loc.get(), remote);
                c.host = e.host();
                locationPort = e.port().isPresent() ? e.port().getAsInt() : null;
            } catch (Endpoint.Invalid e) {
                r.problem(LOCATION, e.offending() == null ? e.getMessage().replace("needs a host", "needs a host in remote mode")
                        : e.getMessage() + ", got " + r.quote(LOCATION, e.offending()));
            }
        } else if (remote) {
            r.problem(LOCATION, "is required in remote mode (proxmox+backup://<host>)");
        }

        // Node, storage and behaviour keys: meaningful in both modes.
        c.node = r.matching(NODE, NODE_NAME, "a Proxmox node name (letters, digits, inner hyphens)").orElse(null);
        r.string(NODE_HOSTS).ifPresent(v -> c.nodeHosts = parseNodeHosts(r, v));
        r.string(DUMP_DIR).ifPresent(v -> {
            String d = normalizeDumpDir(v);
            if (d == null) {
                r.problem(DUMP_DIR, "must be an absolute directory path without '..' (and not /), got "
                        + r.quote(DUMP_DIR, v));
            } else {
                c.dumpDir = d;
            }
        });
        c.cleanup = r.bool(CLEANUP, true);
        c.maxNodesParallel = (int) r.integer(MAX_NODES_PARALLEL, 1, 16, 1);
        c.stopTimeout = r.duration(STOP_TIMEOUT, Duration.ofHours(1)).orElse(c.stopTimeout);

        // SSH keys: types checked in both modes (a typo is a typo), used in remote mode only.
        Optional<Long> connPort = r.integer(CONN_PORT, 1, 65535);
        c.retryCount = (int) r.integer(SSH_RETRY_COUNT, 0, 100, 3);
        c.retryDelay = r.duration(SSH_RETRY_DELAY, MAX_RETRY_DELAY).orElse(Duration.ofSeconds(2));
        c.transport = r.oneOf(SSH_TRANSPORT, List.of("sshj", "openssh"))
                .map(t -> t.equals("openssh") ? SshTransport.OPENSSH : SshTransport.SSHJ).orElse(SshTransport.SSHJ);
        c.cipher = r.oneOf(SSH_CIPHER, SshSettings.ALLOWED_CIPHERS).orElse(null);
        c.insecureIgnoreHostKey = r.bool(SSH_INSECURE, false);
        c.hostKeyFingerprint = r.matching(SSH_HOST_KEY_FINGERPRINT, HostKeyPolicy.FINGERPRINT,
                "SHA256: followed by 43 base64 characters (as printed by ssh-keygen -lf)").orElse(null);
        Optional<String> kh = r.string(SSH_KNOWN_HOSTS);
        kh.ifPresent(v -> {
            Path p = expandHome(r, SSH_KNOWN_HOSTS, v);
            if (p != null) {
                c.knownHosts = p;
            }
        });
        if (connPort.isPresent()) {
            c.port = connPort.get().intValue();
            if (locationPort != null && locationPort != c.port) {
                r.problem(CONN_PORT, "is " + c.port + " but location says port " + locationPort + "; give the port once");
            }
        } else if (locationPort != null) {
            c.port = locationPort;
        }

        if (!remote) {
            // accepted and ignored in local mode (the same source line can be flipped to remote)
            r.accept(CONN_METHOD, CONN_USERNAME, CONN_IDENTITY_FILE);
            return c;
        }

        c.connMethod = r.oneOf(CONN_METHOD, List.of("password", "identity", "agent"))
                .map(m -> ConnMethod.valueOf(m.toUpperCase())).orElse(null);
        if (!r.has(CONN_METHOD)) {
            r.problem(CONN_METHOD, "is required in remote mode (password, identity or agent)");
        }
        c.username = r.matching(CONN_USERNAME, USERNAME, "a login name (letters, digits, _ . -; at most 32)")
                .orElse(null);
        if (!r.has(CONN_USERNAME)) {
            r.problem(CONN_USERNAME, "is required in remote mode");
        }
        c.password = r.string(CONN_PASSWORD).orElse(null);
        c.identityKey = r.text(CONN_IDENTITY_KEY, 64 * 1024).orElse(null);
        c.identityPassphrase = r.string(CONN_IDENTITY_PASSPHRASE).orElse(null);
        Optional<String> idFile = r.string(CONN_IDENTITY_FILE);

        if (c.connMethod == ConnMethod.PASSWORD) {
            if (c.password == null || c.password.isEmpty()) {
                r.problem(CONN_PASSWORD, "is required with conn_method=password");
            }
        } else if (c.connMethod == ConnMethod.IDENTITY) {
            if (idFile.isPresent() && r.has(CONN_IDENTITY_KEY)) {
                r.problem("conn_identity_file and conn_identity_key are mutually exclusive; give one");
            } else if (idFile.isPresent()) {
                c.identityFile = checkIdentityFile(r, idFile.get());
            } else if (c.identityKey == null || c.identityKey.isBlank()) {
                if (!r.has(CONN_IDENTITY_KEY)) {
                    r.problem("conn_identity_file or conn_identity_key is required with conn_method=identity");
                } else {
                    r.problem(CONN_IDENTITY_KEY, "is empty");
                }
            } else if (!c.identityKey.contains("PRIVATE KEY")) {
                r.problem(CONN_IDENTITY_KEY, "does not look like a private key (expected a -----BEGIN ... PRIVATE "
                        + "KEY----- block; newlines may be written as \\n)");
            }
        }
        if (c.connMethod != null) {
            SshTransportRules.check(c.transport == SshTransport.OPENSSH, SshSettings.AuthMethod.valueOf(c.connMethod.name()),
                    c.identityPassphrase != null, c.hostKeyFingerprint != null)
                    .ifPresent(refusal -> r.problem(refusal.key(), refusal.message()));
        }

        if (c.insecureIgnoreHostKey && c.hostKeyFingerprint != null) {
            r.problem("ssh_insecure_ignore_host_key and ssh_host_key_fingerprint are mutually exclusive (a pinned key is verified)");
        }
        if (kh.isPresent() && c.hostKeyFingerprint == null && !c.insecureIgnoreHostKey && c.knownHosts != null
                && !Files.isRegularFile(c.knownHosts)) {
            r.problem(SSH_KNOWN_HOSTS, "file " + c.knownHosts + " does not exist or is not a regular file");
        }
        if (c.hostKeyFingerprint != null && c.nodeHosts.size() > 1) {
            r.problem(SSH_HOST_KEY_FINGERPRINT, "pins one key but node_hosts names " + c.nodeHosts.size()
                    + " nodes, each with its own host key; use ssh_known_hosts for a cluster");
        }
        return c;
    }

    private static Path checkIdentityFile(ConfigReader r, String value) {
        Path p = expandHome(r, CONN_IDENTITY_FILE, value);
        if (p == null) {
            return null;
        }
        if (!Files.exists(p)) {
            r.problem(CONN_IDENTITY_FILE, p + " does not exist");
            return null;
        }
        if (!Files.isRegularFile(p)) {
            r.problem(CONN_IDENTITY_FILE, p + " is not a regular file");
            return null;
        }
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS);
            if (Files.isSymbolicLink(p)) {
                perms = Files.getPosixFilePermissions(p);
            }
            if (perms.contains(PosixFilePermission.GROUP_READ) || perms.contains(PosixFilePermission.OTHERS_READ)
                    || perms.contains(PosixFilePermission.GROUP_WRITE) || perms.contains(PosixFilePermission.OTHERS_WRITE)) {
                r.problem(CONN_IDENTITY_FILE, p + " is accessible by group or others; run chmod 600 " + p);
                return null;
            }
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: nothing to check
        } catch (IOException e) {
            r.problem(CONN_IDENTITY_FILE, "cannot read the permissions of " + p + ": " + e.getMessage());
            return null;
        }
        if (!Files.isReadable(p)) {
            r.problem(CONN_IDENTITY_FILE, p + " is not readable by this user");
            return null;
        }
        return p;
    }

    /** {@code ~} and {@code ~/x} are expanded to the home directory; {@code ~user} is refused. */
    static Path expandHome(ConfigReader r, String key, String value) {
        String v = value;
        if (v.isEmpty()) {
            r.problem(key, "is empty");
            return null;
        }
        if (v.equals("~") || v.startsWith("~/")) {
            v = System.getProperty("user.home") + v.substring(1);
        } else if (v.startsWith("~")) {
            r.problem(key, "~user paths are not supported, got " + r.quote(key, value));
            return null;
        }
        try {
            return Path.of(v).toAbsolutePath().normalize();
        } catch (RuntimeException e) {
            r.problem(key, "is not a valid path, got " + r.quote(key, value));
            return null;
        }
    }

    /** Absolute, normalized ({@code //}, {@code .} and trailing {@code /} removed); null when invalid. */
    static String normalizeDumpDir(String v) {
        if (!v.startsWith("/")) {
            return null;
        }
        List<String> parts = new ArrayList<>();
        for (String s : v.split("/")) {
            if (s.isEmpty() || s.equals(".")) {
                continue;
            }
            if (s.equals("..")) {
                return null;
            }
            parts.add(s);
        }
        if (parts.isEmpty()) {
            return null;
        }
        return "/" + String.join("/", parts);
    }

    private static Map<String, String> parseNodeHosts(ConfigReader r, String v) {
        Map<String, String> out = new LinkedHashMap<>();
        if (v.isBlank()) {
            return Map.of();
        }
        for (String entry : v.split(",")) {
            String e = entry.strip();
            int eq = e.indexOf('=');
            if (eq <= 0) {
                r.problem(NODE_HOSTS, "entries must be node=host, got " + r.quote(NODE_HOSTS, e));
                continue;
            }
            String name = e.substring(0, eq).strip();
            String h = e.substring(eq + 1).strip();
            if (!NODE_NAME.matcher(name).matches()) {
                r.problem(NODE_HOSTS, "invalid node name " + r.quote(NODE_HOSTS, name));
                continue;
            }
            String host;
            try {
                host = Endpoint.host(h);
            } catch (Endpoint.Invalid bad) {
                r.problem(NODE_HOSTS, "host of node " + name + " " + bad.getMessage() + ", got " + r.quote(NODE_HOSTS, h));
                continue;
            }
            if (out.put(name, host) != null) {
                r.problem(NODE_HOSTS, "node " + name + " is listed twice");
            }
        }
        return Collections.unmodifiableMap(out);
    }

    // ---------------------------------------------------------------- getters

    public String location() { return location; }
    /** The location's host (empty in local mode when the location has none). IPv6 without brackets. */
    public String host() { return host; }
    public Mode mode() { return mode; }
    public boolean isRemote() { return mode == Mode.REMOTE; }
    /** Null in local mode. */
    public ConnMethod connMethod() { return connMethod; }
    /** Null in local mode. */
    public String username() { return username; }
    public Optional<Path> identityFile() { return Optional.ofNullable(identityFile); }
    public int port() { return port; }
    public Path knownHosts() { return knownHosts; }
    public Optional<String> hostKeyFingerprint() { return Optional.ofNullable(hostKeyFingerprint); }
    public boolean insecureIgnoreHostKey() { return insecureIgnoreHostKey; }
    public int retryCount() { return retryCount; }
    public Duration retryDelay() { return retryDelay; }
    public SshTransport transport() { return transport; }
    public Optional<String> cipher() { return Optional.ofNullable(cipher); }
    public Optional<String> node() { return Optional.ofNullable(node); }
    /** node name → SSH host, from {@code node_hosts} (insertion order). */
    public Map<String, String> nodeHosts() { return nodeHosts; }
    public String dumpDir() { return dumpDir; }
    public boolean cleanup() { return cleanup; }
    public int maxNodesParallel() { return maxNodesParallel; }
    /** TERM-to-KILL grace of a stopped Proxmox tool ({@code stop_timeout}). */
    public Duration stopTimeout() { return stopTimeout; }

    public HostKeyPolicy hostKeyPolicy() {
        if (insecureIgnoreHostKey) {
            return HostKeyPolicy.insecure();
        }
        if (hostKeyFingerprint != null) {
            return HostKeyPolicy.pinned(hostKeyFingerprint);
        }
        return HostKeyPolicy.knownHosts(knownHosts);
    }

    /** SSH settings for the location's host. Remote mode only, after a successful {@code finish()}. */
    public SshSettings sshSettings() {
        return sshSettings(host);
    }

    /** SSH settings for another node of the cluster (same credentials, port and host key policy). */
    public SshSettings sshSettings(String sshHost) {
        if (mode != Mode.REMOTE || connMethod == null || username == null) {
            throw new IllegalStateException("no SSH settings: not a valid remote configuration");
        }
        SshSettings.Builder b = SshSettings.builder(sshHost, username).port(port)
                .hostKeyPolicy(hostKeyPolicy()).retries(retryCount, retryDelay).cipher(cipher)
                .stopGrace(stopTimeout);
        switch (connMethod) {
            case PASSWORD -> b.password(password);
            case AGENT -> b.agent();
            default -> {
                if (identityFile != null) {
                    b.identityFile(identityFile);
                } else {
                    b.identityKey(identityKey.replace("\\n", "\n"));
                }
                b.identityPassphrase(identityPassphrase);
            }
        }
        return b.build();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("ConnectionConfig{mode=").append(mode.name().toLowerCase())
                .append(", location=").append(location);
        if (mode == Mode.REMOTE) {
            sb.append(", ssh=").append(username).append('@').append(host).append(':').append(port)
                    .append(", method=").append(connMethod == null ? "?" : connMethod.name().toLowerCase());
            if (identityFile != null) {
                sb.append(", identity_file=").append(identityFile);
            }
            if (identityKey != null) {
                sb.append(", identity_key=(hidden)");
            }
            if (identityPassphrase != null) {
                sb.append(", identity_passphrase=(hidden)");
            }
            if (password != null) {
                sb.append(", password=(hidden)");
            }
            sb.append(", hostkeys=").append(hostKeyPolicy()).append(", transport=")
                    .append(transport.name().toLowerCase());
            if (cipher != null) {
                sb.append(", cipher=").append(cipher);
            }
            sb.append(", retries=").append(retryCount).append('x').append(retryDelay.toMillis()).append("ms");
        }
        if (node != null) {
            sb.append(", node=").append(node);
        }
        if (!nodeHosts.isEmpty()) {
            sb.append(", node_hosts=").append(nodeHosts);
        }
        return sb.append(", dump_dir=").append(dumpDir).append(", cleanup=").append(cleanup)
                .append(", max_nodes_parallel=").append(maxNodesParallel).append('}').toString();
    }
}
