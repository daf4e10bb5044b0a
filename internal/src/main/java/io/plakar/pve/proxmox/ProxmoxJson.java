package io.plakar.pve.proxmox;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Locale;
import java.util.OptionalLong;

/**
 * The one reader of values in Proxmox JSON. PVE is written in Perl: the same field arrives as a
 * number on one node and as a numeric string ({@code "101"}) on another, and booleans as
 * {@code 1}/{@code 0}, {@code "1"}, {@code true}, {@code "yes"}, {@code "on"}. PBS is strict, and
 * reading it through here costs nothing. One set of rules for every connector: an integer is a
 * whole number ({@code "101.0"} is 101, {@code "101.5"} is not an integer); a boolean is true for
 * any non-zero number ({@code "2"} is true).
 */
public final class ProxmoxJson {
    private ProxmoxJson() {
    }

    /** An integer from a number, a numeric string or a boolean; empty when absent or not a whole number. */
    public static OptionalLong integer(JsonNode n) {
        if (absent(n)) {
            return OptionalLong.empty();
        }
        if (n.isIntegralNumber()) {
            return OptionalLong.of(n.asLong());
        }
        if (n.isNumber()) {
            return whole(n.asDouble());
        }
        if (n.isBoolean()) {
            return OptionalLong.of(n.asBoolean() ? 1 : 0);
        }
        if (n.isTextual()) {
            String s = n.asText().strip();
            try {
                return OptionalLong.of(Long.parseLong(s));
            } catch (NumberFormatException e) {
                try {
                    return whole(Double.parseDouble(s));
                } catch (NumberFormatException e2) {
                    return OptionalLong.empty();
                }
            }
        }
        return OptionalLong.empty();
    }

    /** {@link #integer(JsonNode)} of a field, or {@code dflt}. */
    public static long integer(JsonNode obj, String name, long dflt) {
        return integer(obj == null ? null : obj.get(name)).orElse(dflt);
    }

    /** A boolean the way Perl means it; absent or unreadable values give {@code dflt}. */
    public static boolean bool(JsonNode n, boolean dflt) {
        if (absent(n)) {
            return dflt;
        }
        if (n.isBoolean()) {
            return n.asBoolean();
        }
        if (n.isNumber()) {
            return n.asDouble() != 0;
        }
        if (n.isTextual()) {
            switch (n.asText().strip().toLowerCase(Locale.ROOT)) {
                case "1", "true", "yes", "on":
                    return true;
                case "0", "false", "no", "off", "":
                    return false;
                default:
                    try {
                        return Double.parseDouble(n.asText().strip()) != 0;
                    } catch (NumberFormatException e) {
                        return dflt;
                    }
            }
        }
        return dflt;
    }

    /** {@link #bool(JsonNode, boolean)} of a field. */
    public static boolean bool(JsonNode obj, String name, boolean dflt) {
        return bool(obj == null ? null : obj.get(name), dflt);
    }

    /** A string value; numbers are rendered as text (a node named 1 is still a name); null when absent. */
    public static String text(JsonNode n) {
        if (absent(n) || n.isContainerNode()) {
            return null;
        }
        return n.asText();
    }

    /** {@link #text(JsonNode)} of a field. */
    public static String text(JsonNode obj, String name) {
        return text(obj == null ? null : obj.get(name));
    }

    private static boolean absent(JsonNode n) {
        return n == null || n.isNull() || n.isMissingNode();
    }

    private static OptionalLong whole(double d) {
        return Double.isFinite(d) && d == Math.rint(d) ? OptionalLong.of((long) d) : OptionalLong.empty();
    }
}
