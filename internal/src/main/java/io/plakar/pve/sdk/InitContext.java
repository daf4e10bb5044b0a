package io.plakar.pve.sdk;

import java.util.List;
import java.util.Map;

/**
 * What the host sends in Init: the URI scheme, the configuration (source/destination keys,
 * every {@code -o key=value}, and {@code location}), and the host's options.
 */
public record InitContext(String proto, Map<String, String> config, HostOptions options) {
    public InitContext {
        config = Map.copyOf(config);
    }

    public record HostOptions(String hostname, String os, String arch, String cwd,
                              long maxConcurrency, List<String> excludes, boolean noXattr) {
        public static HostOptions defaults() {
            return new HostOptions("", "linux", "amd64", "/", 1, List.of(), false);
        }
    }
}
