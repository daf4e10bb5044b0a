package io.plakar.pve.config;

import java.io.IOException;
import java.net.InetAddress;
import java.util.regex.Pattern;

/** Host syntax shared by every connector's location: nothing but a name or an address can pass. */
public final class HostNames {
    private static final Pattern HOST_LABEL = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?");
    private static final Pattern IPV4ISH = Pattern.compile("[0-9.]+");

    private HostNames() {
    }

    /**
     * Why {@code h} is not a host name, an IPv4 address or a bracketed IPv6 address; null when it
     * is one. Literal addresses are parsed, never resolved.
     */
    public static String problem(String h) {
        if (h.isEmpty()) {
            return "is empty";
        }
        if (h.startsWith("[")) {
            if (!h.endsWith("]")) {
                return "has an unclosed [";
            }
            String a = h.substring(1, h.length() - 1);
            if (!a.matches("[0-9A-Fa-f:.]{2,45}") || a.indexOf(':') < 0) {
                return "is not a valid IPv6 address";
            }
            try {
                InetAddress.getByName(a); // a literal: parsed, never resolved
            } catch (IOException e) {
                return "is not a valid IPv6 address";
            }
            return null;
        }
        if (IPV4ISH.matcher(h).matches()) {
            String[] o = h.split("\\.", -1);
            if (o.length != 4) {
                return "is not a valid IPv4 address";
            }
            for (String s : o) {
                if (s.isEmpty() || s.length() > 3 || Integer.parseInt(s) > 255) {
                    return "is not a valid IPv4 address";
                }
            }
            return null;
        }
        if (h.length() > 253) {
            return "is too long";
        }
        String name = h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
        for (String label : name.split("\\.", -1)) {
            if (!HOST_LABEL.matcher(label).matches()) {
                return "must be a hostname, an IPv4 address or an [IPv6] address (no spaces or shell characters)";
            }
        }
        return null;
    }
}
