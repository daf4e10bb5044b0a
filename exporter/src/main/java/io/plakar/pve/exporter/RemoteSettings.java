package io.plakar.pve.exporter;

import io.plakar.pve.config.ConfigReader;
import io.plakar.pve.runner.HostKeyPolicy;
import io.plakar.pve.runner.SshSettings;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The SSH settings of mode=remote, from the connection keys the importer shares.
 * TEMPORARY: replaced by {@code io.plakar.pve.proxmox.ConnectionConfig} once it lands; the
 * keys and their meaning (compatibility.md) stay the same.
 */
final class RemoteSettings {
    private RemoteSettings() {
    }

    /** Null (with problems recorded in {@code r}) when the remote keys are not usable. */
    static SshSettings read(ConfigReader r, Map<String, String> values) {
        String location = r.string("location", "");
        String host = null;
        try {
            URI u = URI.create(location);
            host = u.getHost();
        } catch (IllegalArgumentException e) {
            // reported below
        }
        if (host == null || host.isEmpty()) {
            r.problem("location", "must be proxmox+backup://<host> in remote mode, got " + r.quote("location", location));
        }
        Optional<String> user = r.string("conn_username");
        Optional<String> method = r.oneOf("conn_method", List.of("password", "identity"));
        if (method.isEmpty() && !r.has("conn_method")) {
            r.problem("conn_method", "is required in remote mode (password or identity)");
        }
        int port = (int) r.integer("conn_port", 1, 65535, 22);
        Optional<String> password = r.string("conn_password");
        Optional<String> keyFile = r.string("conn_identity_file");
        Optional<String> keyText = r.string("conn_identity_key");
        Optional<String> passphrase = r.string("conn_identity_passphrase");
        if (method.orElse("").equals("password") && password.isEmpty()) {
            r.problem("conn_password", "is required with conn_method=password");
        }
        if (method.orElse("").equals("identity") && keyFile.isPresent() == keyText.isPresent()) {
            r.problem("conn_identity_file", "give exactly one of conn_identity_file and conn_identity_key with conn_method=identity");
        }
        Optional<String> knownHosts = r.string("ssh_known_hosts");
        Optional<String> fingerprint = r.matching("ssh_host_key_fingerprint", HostKeyPolicy.FINGERPRINT, "SHA256:<43 base64 characters>");
        boolean insecure = r.bool("ssh_insecure_ignore_host_key", false);
        int retries = (int) r.integer("ssh_retry_count", 0, 100, 3);
        Duration delay = r.duration("ssh_retry_delay", Duration.ofMinutes(10)).orElse(Duration.ofSeconds(2));
        if (r.hasProblems() || host == null || user.isEmpty() || method.isEmpty()) {
            return null;
        }
        SshSettings.Builder b = SshSettings.builder(host, user.get()).port(port).retries(retries, delay);
        if (method.get().equals("password")) {
            b.password(password.get());
        } else if (keyFile.isPresent()) {
            b.identityFile(Path.of(expandHome(keyFile.get())));
        } else {
            b.identityKey(keyText.get());
        }
        passphrase.ifPresent(b::identityPassphrase);
        if (fingerprint.isPresent()) {
            b.hostKeyPolicy(HostKeyPolicy.pinned(fingerprint.get()));
        } else if (insecure) {
            b.hostKeyPolicy(HostKeyPolicy.insecure());
        } else if (knownHosts.isPresent()) {
            b.hostKeyPolicy(HostKeyPolicy.knownHosts(Path.of(expandHome(knownHosts.get()))));
        }
        return b.build();
    }

    private static String expandHome(String p) {
        if (p.equals("~") || p.startsWith("~/")) {
            return System.getProperty("user.home") + p.substring(1);
        }
        return p;
    }
}
