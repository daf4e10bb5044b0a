package io.plakar.pve.sdk;

import java.util.List;
import java.util.Map;

/** Builds an {@link InitContext} from either service's Init message. */
final class InitContexts {
    private InitContexts() {
    }

    static InitContext of(String proto, Map<String, String> config, io.plakar.pve.proto.importer.Options o) {
        return new InitContext(proto, config, new InitContext.HostOptions(o.getHostname(), o.getOs(), o.getArch(),
                o.getCwd(), o.getMaxconcurrency(), List.copyOf(o.getExcludesList()), o.getNoxattr()));
    }

    static InitContext of(String proto, Map<String, String> config, io.plakar.pve.proto.exporter.Options o) {
        return new InitContext(proto, config, new InitContext.HostOptions(o.getHostname(), o.getOs(), o.getArch(),
                o.getCwd(), o.getMaxconcurrency(), List.copyOf(o.getExcludesList()), o.getNoxattr()));
    }
}
