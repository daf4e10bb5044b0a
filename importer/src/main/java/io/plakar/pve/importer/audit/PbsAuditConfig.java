package io.plakar.pve.importer.audit;

import io.plakar.pve.config.ConfigReader;
import io.plakar.pve.config.Endpoint;
import io.plakar.pve.importer.audit.api.Fingerprints;
import io.plakar.pve.importer.audit.api.RestClient;
import io.plakar.pve.sdk.ConnectorException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The validated configuration of {@code pbs+audit}. Every problem is reported at once,
 * before anything touches the network.
 *
 * <pre>
 * location          pbs+audit://host[:port]        (default port 8007)
 * token_id          user@realm!name                (required)
 * token_secret      the token's secret             (required, never shown)
 * fingerprint       aa:bb:…  SHA-256 of the PBS certificate (else: system trust store)
 * tls_insecure      true: no certificate check at all (explicit opt-out, warns)
 * datastore         store[,store…]                  (default: every visible one)
 * namespace         a/b                             (default: root)
 * max_depth         0-7                             (default: all)
 * read_logs         root | all | none (true = all, false = none; default root)
 * pve_url           https://host[:port]             (default port 8006; optional cross-check)
 * pve_token_id      user@realm!name                 (required with pve_url)
 * pve_token_secret  (required with pve_url, never shown)
 * pve_fingerprint   aa:bb:…  SHA-256 of the PVE certificate
 * pve_tls_insecure  true: no certificate check for PVE
 * concurrency       parallel requests per server, 1-64 (default 8)
 * timeout           per-request read timeout, e.g. 60s (default 60s)
 * max_age           a guest whose newest complete backup is older is stale (default 26h)
 * exclude           VMIDs not expected to be backed up: listed as excluded, not missing
 * exclude_tag       PVE tags whose guests are excluded the same way
 * previous_summary  summary.json of the previous audit: adds what changed since
 * drill_reports     restore drill result files (JSON lines), comma separated
 * </pre>
 */
public record PbsAuditConfig(String host, int port, String tokenId, String tokenSecret, String fingerprint,
                             boolean tlsInsecure, List<String> datastores, String namespace, Integer maxDepth,
                             ReadLogs readLogs, Pve pve, int concurrency, Duration timeout, Policy policy,
                             java.nio.file.Path previousSummary, List<java.nio.file.Path> drillReports) {

    public static final String PROTOCOL = "pbs+audit";
    public static final int DEFAULT_PORT = 8007;

    public enum ReadLogs { NONE, ROOT, ALL }

    /** What the administrator expects: how old a newest backup may be, and which guests need none. */
    public record Policy(Duration maxAge, java.util.Set<Long> excludeIds, java.util.Set<String> excludeTags) {
        public static final Duration DEFAULT_MAX_AGE = Duration.ofHours(26);

        public static Policy defaults() {
            return new Policy(DEFAULT_MAX_AGE, java.util.Set.of(), java.util.Set.of());
        }
    }

    static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._+\\-]*");

    public record Pve(String host, int port, String tokenId, String tokenSecret, String fingerprint, boolean tlsInsecure) {
        @Override
        public String toString() {
            return "Pve[" + host + ":" + port + ", token " + tokenId + "]";
        }
    }

    /** {@code user@realm!tokenname}. */
    public static final Pattern TOKEN_ID = Pattern.compile("[^\\s@!:=]+@[^\\s@!:=]+![A-Za-z0-9_][A-Za-z0-9._\\-]*");
    static final Pattern STORE = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._\\-]{2,31}");
    static final Pattern NS_COMPONENT = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._\\-]*");

    @Override
    public String toString() {
        return "PbsAuditConfig[" + host + ":" + port + ", token " + tokenId + ", datastores " + datastores
                + ", namespace '" + namespace + "', pve " + pve + "]";
    }

    public RestClient.Options restOptions() {
        return RestClient.Options.defaults().withConcurrency(concurrency).withReadTimeout(timeout);
    }

    public static PbsAuditConfig parse(Map<String, String> values) throws ConnectorException {
        return parse(new ConfigReader(PROTOCOL, values));
    }

    /** Every key this connector accepts: what its schema in the package must describe. */
    public static java.util.Set<String> keys() {
        ConfigReader r = new ConfigReader(PROTOCOL, Map.of());
        try {
            parse(r);
        } catch (ConnectorException expected) {
            // an empty configuration is invalid; every key was registered on the way
        }
        return r.knownKeys();
    }

    private static PbsAuditConfig parse(ConfigReader r) throws ConnectorException {
        r.secret("token_secret", "pve_token_secret");

        String host = null;
        int port = DEFAULT_PORT;
        Optional<String> loc = r.string("location");
        if (loc.isEmpty()) {
            r.problem("location", "is required (pbs+audit://host[:port])");
        } else {
            // a bare host[:port] is accepted as pbs+audit://host[:port]
            String text = loc.get().contains("://") ? loc.get() : PROTOCOL + "://" + loc.get();
            try {
                Endpoint e = Endpoint.parse(PROTOCOL, text, true);
                host = e.host();
                port = e.port().orElse(DEFAULT_PORT);
            } catch (Endpoint.Invalid e) {
                r.problem("location", e.offending() == null ? e.getMessage()
                        : e.getMessage() + ", got " + r.quote("location", e.offending()));
            }
        }

        String tokenId = r.matching("token_id", TOKEN_ID, "an API token id user@realm!name").orElse(null);
        if (tokenId == null && !r.has("token_id")) {
            r.problem("token_id", "is required (an API token id user@realm!name)");
        }
        String secret = r.string("token_secret").orElse(null);
        if (secret == null || secret.isBlank()) {
            if (r.has("token_secret") || secret == null) {
                r.problem("token_secret", "is required");
            }
            secret = null;
        }
        String fp = r.matching("fingerprint", Fingerprints.PATTERN,
                "a SHA-256 fingerprint (32 hex pairs separated by ':')").orElse(null);
        boolean insecure = r.bool("tls_insecure", false);
        if (fp != null && insecure) {
            r.problem("tls_insecure", "cannot be combined with fingerprint (the pin already trusts the server)");
        }

        List<String> stores = new ArrayList<>();
        r.string("datastore").ifPresent(s -> {
            for (String part : s.split(",")) {
                String p = part.strip();
                if (p.isEmpty()) {
                    continue;
                }
                if (!STORE.matcher(p).matches()) {
                    r.problem("datastore", "must be datastore names (3-32 characters of A-Z a-z 0-9 _ . -), got "
                            + r.quote("datastore", p));
                } else if (!stores.contains(p)) {
                    stores.add(p);
                }
            }
        });
        String ns = r.string("namespace", "").strip();
        if (ns.startsWith("/")) {
            ns = ns.substring(1);
        }
        if (ns.endsWith("/")) {
            ns = ns.substring(0, ns.length() - 1);
        }
        if (!ns.isEmpty()) {
            String[] comps = ns.split("/", -1);
            boolean ok = comps.length <= 7 && ns.length() <= 256;
            for (String c : comps) {
                ok &= NS_COMPONENT.matcher(c).matches();
            }
            if (!ok) {
                r.problem("namespace", "must be a PBS namespace path such as a/b (at most 7 levels), got "
                        + r.quote("namespace", ns));
            }
        }
        Integer maxDepth = r.integer("max_depth", 0, 7).map(Long::intValue).orElse(null);

        ReadLogs readLogs = ReadLogs.ROOT;
        Optional<String> rl = r.string("read_logs");
        if (rl.isPresent()) {
            String v = rl.get().toLowerCase(Locale.ROOT);
            switch (v) {
                case "root" -> readLogs = ReadLogs.ROOT;
                case "all" -> readLogs = ReadLogs.ALL;
                case "none" -> readLogs = ReadLogs.NONE;
                default -> {
                    Boolean b = ConfigReader.parseBool(rl.get());
                    if (b == null) {
                        r.problem("read_logs", "must be root, all, none (or true/false), got " + r.quote("read_logs", rl.get()));
                    } else {
                        readLogs = b ? ReadLogs.ALL : ReadLogs.NONE;
                    }
                }
            }
        }

        Pve pve = null;
        Optional<String> pveUrl = r.string("pve_url");
        String pveTokenId = r.matching("pve_token_id", TOKEN_ID, "an API token id user@realm!name").orElse(null);
        String pveSecret = r.string("pve_token_secret").orElse(null);
        String pveFp = r.matching("pve_fingerprint", Fingerprints.PATTERN,
                "a SHA-256 fingerprint (32 hex pairs separated by ':')").orElse(null);
        boolean pveInsecure = r.bool("pve_tls_insecure", false);
        if (pveUrl.isPresent()) {
            String pveHost = null;
            int pvePort = 8006;
            try {
                // the API base path may be given too: https://pve:8006/api2/json
                Endpoint e = Endpoint.parse("https", pveUrl.get().replaceFirst("/api2/json/?$", ""), true);
                pveHost = e.host();
                pvePort = e.port().orElse(8006);
            } catch (Endpoint.Invalid e) {
                r.problem("pve_url", e.offending() == null ? e.getMessage()
                        : e.getMessage() + ", got " + r.quote("pve_url", e.offending()));
            }
            if (pveTokenId == null && !r.has("pve_token_id")) {
                r.problem("pve_token_id", "is required with pve_url");
            }
            if (pveSecret == null || pveSecret.isBlank()) {
                r.problem("pve_token_secret", "is required with pve_url");
            }
            if (pveFp != null && pveInsecure) {
                r.problem("pve_tls_insecure", "cannot be combined with pve_fingerprint");
            }
            if (pveHost != null) {
                pve = new Pve(pveHost, pvePort, pveTokenId, pveSecret, pveFp, pveInsecure);
            }
        } else {
            for (String k : List.of("pve_token_id", "pve_token_secret", "pve_fingerprint", "pve_tls_insecure")) {
                if (r.has(k)) {
                    r.problem(k, "needs pve_url");
                }
            }
        }
        int concurrency = (int) r.integer("concurrency", 1, 64, 8);
        Duration timeout = r.duration("timeout", Duration.ofHours(1)).orElse(Duration.ofSeconds(60));
        if (timeout.isZero()) {
            r.problem("timeout", "must be more than 0");
        }
        Duration maxAge = r.duration("max_age", Duration.ofDays(3650)).orElse(Policy.DEFAULT_MAX_AGE);
        if (maxAge.isZero()) {
            r.problem("max_age", "must be more than 0");
        }
        java.util.Set<Long> excludeIds = new java.util.TreeSet<>();
        r.string("exclude").ifPresent(s -> {
            for (String part : s.split(",")) {
                String v = part.strip();
                if (v.isEmpty()) {
                    continue;
                }
                if (!v.matches("[1-9][0-9]{2,8}")) {
                    r.problem("exclude", "must be VMIDs (100-999999999) separated by ',', got " + r.quote("exclude", v));
                } else {
                    excludeIds.add(Long.parseLong(v));
                }
            }
        });
        java.util.Set<String> excludeTags = new java.util.TreeSet<>();
        r.string("exclude_tag").ifPresent(s -> {
            for (String part : s.split(",")) {
                String v = part.strip();
                if (v.isEmpty()) {
                    continue;
                }
                if (!TAG.matcher(v).matches()) {
                    r.problem("exclude_tag", "must be PVE tags separated by ',', got " + r.quote("exclude_tag", v));
                } else {
                    excludeTags.add(v.toLowerCase(Locale.ROOT));
                }
            }
        });
        java.nio.file.Path previous = r.string("previous_summary").map(v -> readableFile(r, "previous_summary", v))
                .orElse(null);
        List<java.nio.file.Path> drills = new ArrayList<>();
        r.string("drill_reports").ifPresent(s -> {
            for (String part : s.split(",")) {
                String v = part.strip();
                if (!v.isEmpty()) {
                    java.nio.file.Path f = readableFile(r, "drill_reports", v);
                    if (f != null) {
                        drills.add(f);
                    }
                }
            }
        });
        r.finish();
        return new PbsAuditConfig(host, port, tokenId, secret, fp, insecure, List.copyOf(stores), ns, maxDepth,
                readLogs, pve, concurrency, timeout, new Policy(maxAge, java.util.Set.copyOf(excludeIds),
                java.util.Set.copyOf(excludeTags)), previous, List.copyOf(drills));
    }

    /** A file the audit will read: it must exist and be readable now, not fail half-way. */
    private static java.nio.file.Path readableFile(ConfigReader r, String key, String value) {
        String v = value.startsWith("~/") ? System.getProperty("user.home") + value.substring(1) : value;
        java.nio.file.Path p = java.nio.file.Path.of(v);
        if (!java.nio.file.Files.isRegularFile(p) || !java.nio.file.Files.isReadable(p)) {
            r.problem(key, "must be a readable file, got " + r.quote(key, value));
            return null;
        }
        return p;
    }

}
