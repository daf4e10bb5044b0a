package io.plakar.pve.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.OptionalInt;

/**
 * A connector's location, {@code <scheme>://<host>[:<port>][/]}, read with {@link URI} (the
 * one parser of locations for every connector): no user info, path, query or fragment; the
 * host is a name, an IPv4 address or a bracketed IPv6 address ({@link HostNames}), kept
 * without brackets. Literal addresses are parsed, never resolved.
 */
public record Endpoint(String host, OptionalInt port) {

    /** Why a text is not a valid location (written for the user), and the part at fault, if one is. */
    public static final class Invalid extends Exception {
        private final String offending;

        Invalid(String message, String offending) {
            super(message);
            this.offending = offending;
        }

        /** The text at fault (to quote after the message), or null when the message says it all. */
        public String offending() {
            return offending;
        }
    }

    /**
     * Parses {@code text}; an empty host is allowed only when {@code hostRequired} is false
     * ({@code proxmox+backup://} in local mode).
     */
    public static Endpoint parse(String scheme, String text, boolean hostRequired) throws Invalid {
        String shape = "must look like " + scheme + "://<host>[:port]";
        String prefix = scheme + "://";
        if (text.equalsIgnoreCase(prefix) || text.equalsIgnoreCase(prefix + "/")) {
            if (hostRequired) {
                throw new Invalid("needs a host (" + scheme + "://<host>)", null);
            }
            return new Endpoint("", OptionalInt.empty());
        }
        URI u;
        try {
            u = new URI(text);
        } catch (URISyntaxException e) {
            throw hostOrShape(text, prefix, shape);
        }
        if (!scheme.equalsIgnoreCase(u.getScheme()) || u.isOpaque() || u.getRawUserInfo() != null
                || u.getRawQuery() != null || u.getRawFragment() != null
                || !(u.getRawPath() == null || u.getRawPath().isEmpty() || u.getRawPath().equals("/"))) {
            throw new Invalid(shape, text);
        }
        String authority = u.getRawAuthority() == null ? "" : u.getRawAuthority();
        if (authority.isEmpty()) {
            if (hostRequired) {
                throw new Invalid("needs a host (" + scheme + "://<host>)", null);
            }
            return new Endpoint("", OptionalInt.empty());
        }
        if (u.getHost() == null) {
            // URI could not read a server authority: say what is wrong with the host part
            String h = authority.replaceFirst(":[0-9]*$", "");
            String problem = HostNames.problem(h);
            throw new Invalid("host " + (problem == null ? "is not valid" : problem), h);
        }
        String host = u.getHost();
        String problem = HostNames.problem(host);
        if (problem != null) {
            throw new Invalid("host " + problem, host);
        }
        OptionalInt port = OptionalInt.empty();
        if (u.getPort() != -1) {
            if (u.getPort() < 1 || u.getPort() > 65535) {
                throw new Invalid("port must be between 1 and 65535, got " + u.getPort(), null);
            }
            port = OptionalInt.of(u.getPort());
        } else if (authority.endsWith(":")) {
            throw new Invalid(shape, text);
        }
        return new Endpoint(unbracket(host), port);
    }

    /** A text URI refused: name the host's problem when the host part is what is wrong. */
    private static Invalid hostOrShape(String text, String prefix, String shape) {
        if (text.regionMatches(true, 0, prefix, 0, prefix.length())) {
            String rest = text.substring(prefix.length());
            int end = rest.length();
            for (char c : new char[] {'/', '?', '#', '@'}) {
                int i = rest.indexOf(c);
                if (i >= 0 && i < end) {
                    end = i;
                }
            }
            if (end == rest.length() || rest.charAt(end) == '/') {
                String h = rest.substring(0, end).replaceFirst(":[0-9]*$", "");
                String problem = HostNames.problem(h);
                if (problem != null) {
                    return new Invalid("host " + problem, h);
                }
            }
        }
        return new Invalid(shape, text);
    }

    /** A bare host (a node's address in {@code node_hosts}): a name, IPv4, or [IPv6]. */
    public static String host(String text) throws Invalid {
        String problem = HostNames.problem(text);
        if (problem != null) {
            throw new Invalid(problem, text);
        }
        return unbracket(text);
    }

    /** The host as it goes into a URL or an SSH target: IPv6 in brackets. */
    public String urlHost() {
        return host.indexOf(':') >= 0 ? "[" + host + "]" : host;
    }

    private static String unbracket(String h) {
        return h.startsWith("[") && h.endsWith("]") ? h.substring(1, h.length() - 1) : h;
    }
}
