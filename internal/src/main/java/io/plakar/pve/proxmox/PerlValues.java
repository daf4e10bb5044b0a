package io.plakar.pve.proxmox;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Locale;
import java.util.OptionalLong;

/**
 * Reads numbers and booleans out of PVE JSON leniently: Perl emits integers as numbers or
 * numeric strings and booleans as 1/0, "1", true, "yes", "on"… (facts §0). Strict parsing
 * would break on one node and not on another, so every PVE field goes through here.
 */
public final class PerlValues {
    private PerlValues() {
    }

    /** An integer from a number, a numeric string ("101", " 101 ", "101.0") or a boolean; empty otherwise. */
    public static OptionalLong integer(JsonNode n) {
        if (n == null || n.isNull() || n.isMissingNode()) {
            return OptionalLong.empty();
        }
        if (n.isIntegralNumber()) {
            return OptionalLong.of(n.asLong());
        }
        if (n.isNumber()) {
            double d = n.asDouble();
            return d == Math.rint(d) ? OptionalLong.of((long) d) : OptionalLong.empty();
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
                    double d = Double.parseDouble(s);
                    return d == Math.rint(d) && !Double.isInfinite(d) ? OptionalLong.of((long) d) : OptionalLong.empty();
                } catch (NumberFormatException e2) {
                    return OptionalLong.empty();
                }
            }
        }
        return OptionalLong.empty();
    }

    /** A boolean the way PVE means it; absent or unreadable values give {@code dflt}. */
    public static boolean bool(JsonNode n, boolean dflt) {
        if (n == null || n.isNull() || n.isMissingNode()) {
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
                    OptionalLong l = integer(n);
                    return l.isPresent() ? l.getAsLong() != 0 : dflt;
            }
        }
        return dflt;
    }

    /** A string field; numbers are rendered as text (a node named 1 is still a name). */
    public static String text(JsonNode n) {
        if (n == null || n.isNull() || n.isMissingNode() || n.isContainerNode()) {
            return null;
        }
        return n.asText();
    }
}
