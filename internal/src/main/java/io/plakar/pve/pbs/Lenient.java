package io.plakar.pve.pbs;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Locale;

/**
 * Reading JSON from Perl (PVE): integers and booleans arrive as numbers, numeric strings,
 * {@code "1"}/{@code "0"}, {@code true}, {@code "yes"}/{@code "on"}… PBS JSON is strict, but
 * reading it through these helpers does no harm.
 */
public final class Lenient {
    private Lenient() {
    }

    /** The number in {@code n}, or {@code dflt} when absent, null or not a number. */
    public static long asLong(JsonNode n, long dflt) {
        if (n == null || n.isNull() || n.isMissingNode()) {
            return dflt;
        }
        if (n.isNumber()) {
            return n.asLong();
        }
        if (n.isBoolean()) {
            return n.booleanValue() ? 1 : 0;
        }
        if (n.isTextual()) {
            String s = n.textValue().strip();
            try {
                return Long.parseLong(s);
            } catch (NumberFormatException e) {
                try {
                    double d = Double.parseDouble(s);
                    return Double.isFinite(d) ? (long) d : dflt;
                } catch (NumberFormatException e2) {
                    return dflt;
                }
            }
        }
        return dflt;
    }

    public static long field(JsonNode obj, String name, long dflt) {
        return asLong(obj == null ? null : obj.get(name), dflt);
    }

    /** A Perl boolean: 1/0, "1"/"0", true/false, "yes"/"no", "on"/"off". */
    public static boolean asBool(JsonNode n, boolean dflt) {
        if (n == null || n.isNull() || n.isMissingNode()) {
            return dflt;
        }
        if (n.isBoolean()) {
            return n.booleanValue();
        }
        if (n.isNumber()) {
            return n.asLong() != 0;
        }
        if (n.isTextual()) {
            switch (n.textValue().strip().toLowerCase(Locale.ROOT)) {
                case "1", "true", "yes", "on" -> {
                    return true;
                }
                case "0", "false", "no", "off", "" -> {
                    return false;
                }
                default -> {
                    return dflt;
                }
            }
        }
        return dflt;
    }

    public static boolean bool(JsonNode obj, String name, boolean dflt) {
        return asBool(obj == null ? null : obj.get(name), dflt);
    }

    /** A string field, or null when absent/null. Numbers are rendered as text. */
    public static String text(JsonNode obj, String name) {
        JsonNode n = obj == null ? null : obj.get(name);
        if (n == null || n.isNull() || n.isMissingNode()) {
            return null;
        }
        return n.isValueNode() ? n.asText() : n.toString();
    }
}
