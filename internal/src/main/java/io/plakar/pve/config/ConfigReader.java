package io.plakar.pve.config;

import io.plakar.pve.sdk.ConnectorException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a connector's string map with strict checks. Every problem is collected, so the
 * user sees all of them at once; {@link #finish()} throws one INVALID_CONFIG error listing
 * them, plus any unknown key together with the list of valid keys.
 *
 * Values of keys named in {@code secretKeys} are never quoted in messages.
 */
public final class ConfigReader {
    private static final Pattern GO_DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h)");

    private final String connector;
    private final Map<String, String> values;
    private final Set<String> known = new TreeSet<>();
    private final Set<String> secrets = new HashSet<>();
    private final List<String> problems = new ArrayList<>();
    /** Keys whose value went through string()/text() (and so through the character checks). */
    private final Set<String> checked = new HashSet<>();

    public ConfigReader(String connector, Map<String, String> values) {
        this.connector = connector;
        this.values = values;
    }

    /** Declares keys that are accepted but read elsewhere (or ignored on purpose). */
    public ConfigReader accept(String... keys) {
        known.addAll(List.of(keys));
        return this;
    }

    public ConfigReader secret(String... keys) {
        secrets.addAll(List.of(keys));
        known.addAll(List.of(keys));
        return this;
    }

    public Set<String> knownKeys() {
        return Set.copyOf(known);
    }

    public boolean has(String key) {
        known.add(key);
        return values.containsKey(key);
    }

    /** The raw value, or empty. Rejects control characters (NUL, newline…) in every value. */
    public Optional<String> string(String key) {
        return checkedValue(key, 4096, false);
    }

    /**
     * A multi-line value such as a private key in PEM form: newlines, carriage returns and tabs
     * are allowed, every other control character (NUL above all) is refused.
     */
    public Optional<String> text(String key, int maxLength) {
        return checkedValue(key, maxLength, true);
    }

    private Optional<String> checkedValue(String key, int maxLength, boolean multiline) {
        known.add(key);
        checked.add(key);
        String v = values.get(key);
        if (v == null) {
            return Optional.empty();
        }
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            boolean lineBreakOrTab = c == '\n' || c == '\r' || c == '\t';
            if ((c < 0x20 && !(multiline && lineBreakOrTab)) || c == 0x7f) {
                problem(key, "contains a control character");
                return Optional.empty();
            }
        }
        if (v.length() > maxLength) {
            problem(key, "is too long (" + v.length() + " characters, at most " + maxLength + ")");
            return Optional.empty();
        }
        return Optional.of(v);
    }

    public String string(String key, String defaultValue) {
        return string(key).orElse(defaultValue);
    }

    public Optional<String> matching(String key, Pattern pattern, String expectation) {
        Optional<String> v = string(key);
        if (v.isPresent() && !pattern.matcher(v.get()).matches()) {
            problem(key, "must be " + expectation + ", got " + quote(key, v.get()));
            return Optional.empty();
        }
        return v;
    }

    public Optional<String> oneOf(String key, Collection<String> allowed) {
        Optional<String> v = string(key);
        if (v.isPresent() && !allowed.contains(v.get())) {
            problem(key, "must be one of " + String.join(", ", allowed) + ", got " + quote(key, v.get()));
            return Optional.empty();
        }
        return v;
    }

    /** Booleans as Go's strconv.ParseBool reads them; "" (a bare {@code -o all}) counts as true. */
    public Optional<Boolean> bool(String key) {
        Optional<String> v = string(key);
        if (v.isEmpty()) {
            return Optional.empty();
        }
        Boolean b = parseBool(v.get());
        if (b == null) {
            problem(key, "must be a boolean (true/false, 1/0, t/f), got " + quote(key, v.get()));
            return Optional.empty();
        }
        return Optional.of(b);
    }

    public boolean bool(String key, boolean defaultValue) {
        return bool(key).orElse(defaultValue);
    }

    public static Boolean parseBool(String s) {
        switch (s) {
            case "", "1", "t", "T", "TRUE", "true", "True":
                return Boolean.TRUE;
            case "0", "f", "F", "FALSE", "false", "False":
                return Boolean.FALSE;
            default:
                return null;
        }
    }

    public Optional<Long> integer(String key, long min, long max) {
        Optional<String> v = string(key);
        if (v.isEmpty()) {
            return Optional.empty();
        }
        String s = v.get();
        if (!s.matches("-?[0-9]{1,19}")) {
            problem(key, "must be a whole number, got " + quote(key, s));
            return Optional.empty();
        }
        long n;
        try {
            n = Long.parseLong(s);
        } catch (NumberFormatException e) {
            problem(key, "is out of range, got " + quote(key, s));
            return Optional.empty();
        }
        if (n < min || n > max) {
            problem(key, "must be between " + min + " and " + max + ", got " + n);
            return Optional.empty();
        }
        return Optional.of(n);
    }

    public long integer(String key, long min, long max, long defaultValue) {
        return integer(key, min, max).orElse(defaultValue);
    }

    /** A Go duration such as {@code 2s}, {@code 500ms}, {@code 1m30s}. */
    public Optional<Duration> duration(String key, Duration max) {
        Optional<String> v = string(key);
        if (v.isEmpty()) {
            return Optional.empty();
        }
        Duration d = parseGoDuration(v.get());
        if (d == null) {
            problem(key, "must be a duration such as 2s, 500ms or 1m, got " + quote(key, v.get()));
            return Optional.empty();
        }
        if (d.compareTo(max) > 0) {
            problem(key, "must be at most " + max.toSeconds() + "s");
            return Optional.empty();
        }
        return Optional.of(d);
    }

    public static Duration parseGoDuration(String s) {
        if (s.equals("0")) {
            return Duration.ZERO;
        }
        Matcher m = GO_DURATION.matcher(s);
        int pos = 0;
        double nanos = 0;
        while (pos < s.length()) {
            if (!m.find(pos) || m.start() != pos) {
                return null;
            }
            double n = Double.parseDouble(m.group(1));
            nanos += n * switch (m.group(2)) {
                case "ns" -> 1;
                case "us", "µs" -> 1e3;
                case "ms" -> 1e6;
                case "s" -> 1e9;
                case "m" -> 60e9;
                default -> 3600e9;
            };
            pos = m.end();
        }
        if (pos == 0 || nanos > 1e18) {
            return null;
        }
        return Duration.ofNanos((long) nanos);
    }

    /** Records a problem with a key; the message must not contain the value of a secret. */
    public void problem(String key, String message) {
        problems.add(key + ": " + message);
    }

    public void problem(String message) {
        problems.add(message);
    }

    /** A value for a message: quoted and cut short, or hidden when the key is a secret. */
    public String quote(String key, String value) {
        if (secrets.contains(key)) {
            return "(hidden)";
        }
        String shown = value.length() > 64 ? value.substring(0, 64) + "…" : value;
        StringBuilder sb = new StringBuilder("\"");
        for (char c : shown.toCharArray()) {
            sb.append(c < 0x20 || c == 0x7f ? String.format("\\x%02x", (int) c) : String.valueOf(c));
        }
        return sb.append('"').toString();
    }

    /** Throws one error naming every problem and every unknown key. Call after reading all keys. */
    public void finish() throws ConnectorException {
        // A key that is accepted but ignored here (e.g. a connection key in local mode) still may
        // not carry control characters or huge values: nothing unchecked passes Init.
        for (String key : new TreeSet<>(values.keySet())) {
            if (known.contains(key) && !checked.contains(key)) {
                string(key);
            }
        }
        List<String> all = new ArrayList<>(problems);
        Set<String> unknown = new TreeSet<>(values.keySet());
        unknown.removeAll(known);
        if (!unknown.isEmpty()) {
            List<String> shown = new ArrayList<>();
            for (String k : unknown) {
                shown.add(quote("", k));
            }
            all.add("unknown option" + (unknown.size() > 1 ? "s " : " ") + String.join(", ", shown)
                    + " (valid options: " + String.join(", ", known) + ")");
        }
        if (!all.isEmpty()) {
            throw ConnectorException.invalidConfig(connector + ": invalid configuration: " + String.join("; ", all));
        }
    }
}
