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
 *
 * <p>A question whose connection broke is asked again (the runner reconnects), a bounded
 * number of times: a dropped connection during the inventory must not fail every guest. A
 * {@code pvesh} that answered with an error is not asked again.
 */
public final class Resources {
    private static final Logger LOG = LoggerFactory.getLogger(Resources.class);
    public static final Duration DEFAULT_TTL = Duration.ofSeconds(30);
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final Runner runner;
    private final Clock clock;
    private final Duration ttl;
    private final int retries;
    private final Duration retryDelay;
    private final Map<String, Cached<?>> cache = new HashMap<>();

    private record Cached<T>(T value, Instant at) {
    }

    public Resources(Runner runner) {
        this(runner, Clock.systemUTC(), DEFAULT_TTL, 0, Duration.ZERO);
    }

    public Resources(Runner runner, int retries, Duration retryDelay) {
        this(runner, Clock.systemUTC(), DEFAULT_TTL, retries, retryDelay);
    }

    public Resources(Runner runner, Clock clock, Duration ttl, int retries, Duration retryDelay) {
        this.runner = runner;
        this.clock = clock;
        this.ttl = ttl;
        this.retries = retries;
        this.retryDelay = retryDelay;
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
            CommandResult r = run(List.of("pvesh", "get", "/pools", "--poolid", pool, "--output-format", "json"));
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

    private String pvesh(String path, String... params) throws IOException, InterruptedException {
        List<String> argv = new java.util.ArrayList<>(List.of("pvesh", "get", path));
        argv.addAll(List.of(params));
        argv.addAll(List.of("--output-format", "json"));
        CommandResult r = run(argv);
        if (!r.ok()) {
            throw new IOException("pvesh get " + path + " failed on " + runner.describe() + ": " + r.lastErrorLine());
        }
        return r.stdout();
    }

    /** Runs one pvesh question; a broken connection is retried, an answer (even an error) is final. */
    private CommandResult run(List<String> argv) throws IOException, InterruptedException {
        for (int attempt = 0; ; attempt++) {
            try {
                return runner.run(argv, TIMEOUT);
            } catch (IOException e) {
                if (attempt >= retries) {
                    throw new IOException(String.join(" ", argv.subList(0, 3)) + " could not be asked on "
                            + runner.describe() + (retries > 0 ? " (" + (attempt + 1) + " attempts)" : "") + ": "
                            + e.getMessage(), e);
                }
                LOG.warn("{} on {} failed ({}); asking again", String.join(" ", argv.subList(0, 3)), runner.describe(),
                        e.getMessage());
                Thread.sleep(retryDelay.toMillis());
            }
        }
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
