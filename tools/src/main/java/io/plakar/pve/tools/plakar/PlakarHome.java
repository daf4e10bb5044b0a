package io.plakar.pve.tools.plakar;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The real plakar client in a private home (HOME points into a scratch directory), so a test
 * never reads or changes a user's own configuration, cache or installed packages.
 */
public final class PlakarHome {
    public static final String VERSION = "v0.1.0";
    public static final String PTAR = "proxmox_" + VERSION + "_linux_amd64.ptar";

    private final Path plakar;
    private final Path home;
    private final Map<String, String> extraEnv = new HashMap<>();

    public PlakarHome(Path plakar, Path home) {
        this.plakar = plakar;
        this.home = home;
        try {
            Files.createDirectories(home);
        } catch (IOException e) {
            throw new AssertionError("cannot create " + home, e);
        }
        // Once per cache dir: else a security-check banner goes to stdout on the first run.
        run(List.of("-disable-security-check")).ok();
    }

    public Path home() {
        return home;
    }

    public Path plakar() {
        return plakar;
    }

    public PlakarHome env(String key, String value) {
        extraEnv.put(key, value);
        return this;
    }

    /** Where {@code pkg add} unpacks the package and from where plakar spawns its connectors. */
    public Path installedPackage() {
        return home.resolve(".cache/plakar/plugins/v1.1.0/proxmox_" + VERSION + "_linux_amd64");
    }

    public Map<String, String> environment() {
        Map<String, String> env = new HashMap<>();
        env.put("HOME", home.toString());
        env.put("PATH", System.getenv("PATH"));
        env.put("LANG", "C.UTF-8");
        env.putAll(extraEnv);
        return env;
    }

    public Cmd.Result run(List<String> args) {
        return runIn(home, args);
    }

    public Cmd.Result run(String... args) {
        return run(List.of(args));
    }

    public Cmd.Result runIn(Path cwd, List<String> args) {
        List<String> argv = new ArrayList<>();
        argv.add(plakar.toString());
        argv.addAll(args);
        return Cmd.run(argv, environment(), cwd, Duration.ofSeconds(120));
    }

    /**
     * Waits until no process runs from the installed package. A connector's first start records its
     * class-data-sharing archive when its JVM exits, which can be after plakar itself returned.
     */
    public void awaitPluginExit(Path installed) {
        String marker = installed.toString();
        ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().map(c -> c.contains(marker)).orElse(false))
                .forEach(p -> {
                    try {
                        p.onExit().get(60, java.util.concurrent.TimeUnit.SECONDS);
                    } catch (Exception e) {
                        throw new AssertionError("a connector of " + marker + " did not exit: " + p.pid(), e);
                    }
                });
    }

    /** {@code plakar pkg create} of a package directory, as a user runs it from inside the directory. */
    public Path pkgCreate(Path dist, Path outDir) throws IOException {
        Files.createDirectories(outDir);
        Path out = outDir.resolve(PTAR);
        Files.deleteIfExists(out);
        runIn(dist, List.of("pkg", "create", "-out", out.toString(), "./manifest.yaml", VERSION)).ok();
        return out;
    }
}
