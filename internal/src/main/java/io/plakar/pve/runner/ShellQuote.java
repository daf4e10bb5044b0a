package io.plakar.pve.runner;

import java.util.List;

/**
 * POSIX shell quoting for commands sent over SSH (the remote side always runs them through
 * the login shell). Every argument becomes one single-quoted word; a single quote inside is
 * written as {@code '\''}. Inside single quotes no character is special to a POSIX shell
 * (no expansion, no escapes, newlines kept), so this is correct for any string without NUL,
 * which no argv element can contain.
 */
public final class ShellQuote {
    private ShellQuote() {
    }

    /** Quotes one argument. Arguments made only of safe characters are left bare (readable logs). */
    public static String quote(String arg) {
        if (arg.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("an argument contains a NUL character");
        }
        if (!arg.isEmpty() && isSafe(arg)) {
            return arg;
        }
        StringBuilder sb = new StringBuilder(arg.length() + 8).append('\'');
        for (int i = 0; i < arg.length(); i++) {
            char c = arg.charAt(i);
            if (c == '\'') {
                sb.append("'\\''");
            } else {
                sb.append(c);
            }
        }
        return sb.append('\'').toString();
    }

    /** The command line for an argv: every element quoted, joined by single spaces. */
    public static String join(List<String> argv) {
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("empty argv");
        }
        StringBuilder sb = new StringBuilder();
        for (String a : argv) {
            if (sb.length() > 0) {
                sb.append(' ');
            }
            sb.append(quote(a));
        }
        return sb.toString();
    }

    private static boolean isSafe(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '_' || c == '.' || c == '/' || c == ',' || c == ':' || c == '+' || c == '@'
                    || c == '%';
            if (!ok) {
                return false;
            }
        }
        // a leading '~' or '=' is never bare (we do not allow them anyway); '-' is fine as a word
        return true;
    }
}
