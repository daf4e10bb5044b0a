package io.plakar.pve.proxmox;

import io.plakar.pve.runner.CommandResult;
import io.plakar.pve.runner.Runner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The cluster inventory through {@code pvesh}: guests, pools, node addresses. Answers are
 * cached for a short TTL so one run asks once, yet a long run (hours of dumps) does not act
 * on a stale picture. Any node answers for the whole cluster, so one runner is enough.
 */
public final class Resources {
    private static final Logger LOG = LoggerFactory.getLogger(Resources.class);
    public static final Duration DEFAULT_TTL = Duration.ofSeconds(30);
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final Runner runner;
    private final Clock clock;
    private final Duration ttl;
    private final Map<String, Cached<?>> cache = new HashMap<>();

    private record Cached<T>(T value, Instant at) {
    }

    public Resources(Runner runner) {
        this(runner, Clock.systemUTC(), DEFAULT_TTL);
    }

    public Resources(Runner runner, Clock clock, Duration ttl) {
        this.runner = runner;
        this.clock = clock;
        this.ttl = ttl;
    }

    public synchronized List<Guest> guests() throws IOException, InterruptedException {
        return cached("resources", () -> InventoryParser.clusterResources(
                pvesh("/cluster/resources", "--type", "vm")));
    }

    /**
     * The guests of a pool. Uses {@code /pools --poolid X} (PVE ≥ 8.1) and falls back to the
     * deprecated {@code /pools/X} when that form is refused (older nodes), so both work.
     */
    public synchronized List<Guest> poolMembers(String pool) throws IOException, InterruptedException {
        return cached("pool:" + pool, () -> {
            CommandResult r = runner.run(List.of("pvesh", "get", "/pools", "--poolid", pool,
                    "--output-format", "json"), TIMEOUT);
            if (r.ok()) {
                Optional<List<Guest>> members = InventoryParser.poolMembers(r.stdout(), pool);
                if (members.isPresent()) {
                    return members.get();
                }
            }
            LOG.debug("pvesh get /pools --poolid did not answer for the pool ({}), trying /pools/{}",
                    r.ok() ? "no entry" : r.lastErrorLine(), pool);
            return InventoryParser.poolMembers(pvesh("/pools/" + pool), pool)
                    .orElseThrow(() -> new IOException("pool '" + pool + "': unexpected answer from pvesh"));
        });
    }

    public synchronized List<ClusterNode> nodes() throws IOException, InterruptedException {
        return cached("status", () -> InventoryParser.clusterStatus(pvesh("/cluster/status")));
    }

    public String version() throws IOException, InterruptedException {
        return InventoryParser.version(pvesh("/version"));
    }

    /** Forgets everything (after a guest vanished, for instance). */
    public synchronized void invalidate() {
        cache.clear();
    }

    private String pvesh(String path, String... params) throws IOException, InterruptedException {
        List<String> argv = new java.util.ArrayList<>(List.of("pvesh", "get", path));
        argv.addAll(List.of(params));
        argv.addAll(List.of("--output-format", "json"));
        CommandResult r = runner.run(argv, TIMEOUT);
        if (!r.ok()) {
            throw new IOException("pvesh get " + path + " failed on " + runner.describe() + ": " + r.lastErrorLine());
        }
        return r.stdout();
    }

    @FunctionalInterface
    private interface Loader<T> {
        T load() throws IOException, InterruptedException;
    }

    @SuppressWarnings("unchecked")
    private <T> T cached(String key, Loader<T> loader) throws IOException, InterruptedException {
        Instant now = clock.instant();
        Cached<?> c = cache.get(key);
        if (c != null && Duration.between(c.at(), now).compareTo(ttl) < 0) {
            return (T) c.value();
        }
        T v = loader.load();
        cache.put(key, new Cached<>(v, now));
        return v;
    }
}
