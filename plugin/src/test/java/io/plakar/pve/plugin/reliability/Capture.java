package io.plakar.pve.plugin.reliability;

import io.plakar.pve.proto.connectors.Result;
import io.plakar.pve.testkit.host.Snapshot;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Everything the suite saw coming out of a plugin — every stderr, every gRPC status, every
 * record (path, error, stored content) and every export result — kept so that the secrets
 * used anywhere in the suite can be searched for in all of it at once.
 */
final class Capture {
    private static final List<String> TEXTS = new ArrayList<>();
    private static final Set<String> SECRETS = new LinkedHashSet<>();
    private static long bytes;

    private Capture() {
    }

    /** A secret handed to a plugin somewhere in the suite: must never come back. */
    static synchronized void secret(String s) {
        if (s != null && s.length() >= 6) {
            SECRETS.add(s);
        }
    }

    static synchronized Set<String> secrets() {
        return new LinkedHashSet<>(SECRETS);
    }

    static synchronized void text(String source, String text) {
        if (text != null && !text.isEmpty()) {
            TEXTS.add(source + "\u0000" + text);
            bytes += text.length();
        }
    }

    static void snapshot(String source, Snapshot s) {
        text(source + " import status", s.importError());
        for (Snapshot.Entry e : s.entries()) {
            text(source + " record", e.path() + "\n" + e.recordError() + "\n" + e.openError() + "\n" + e.record());
            if (e.contentFile() != null && Files.isRegularFile(e.contentFile())) {
                try {
                    // content bytes as ISO-8859-1: a secret's bytes inside a binary dump still match
                    text(source + " content " + e.path(), new String(Files.readAllBytes(e.contentFile()), StandardCharsets.ISO_8859_1));
                } catch (IOException ignored) {
                    // the test removed it
                }
            }
        }
    }

    static void results(String source, List<Result> results) {
        for (Result r : results) {
            text(source + " result", r.getHeader().getPathname() + "\n" + r.getError());
        }
    }

    static synchronized long bytesScanned() {
        return bytes;
    }

    static synchronized int items() {
        return TEXTS.size();
    }

    /** Fails when any secret used so far was found in anything captured so far (every class calls it last). */
    static void assertNoLeaks() {
        List<String> l = leaks();
        FiguresReport.security("secrets in stderr, statuses, errors, records, record contents",
                secrets().size() + " secrets searched in " + items() + " captured items (" + bytesScanned() / 1024
                        + " KiB): " + l.size() + " found");
        if (!l.isEmpty()) {
            throw new AssertionError("secrets leaked: " + l);
        }
    }

    /** "secret found in source" for every secret found anywhere (the secret itself is not repeated). */
    static synchronized List<String> leaks() {
        List<String> out = new ArrayList<>();
        int i = 0;
        for (String s : SECRETS) {
            i++;
            for (String t : TEXTS) {
                int z = t.indexOf('\u0000');
                String body = t.substring(z + 1);
                if (body.contains(s)) {
                    out.add("secret #" + i + " (" + s.length() + " chars) in " + t.substring(0, z));
                }
            }
        }
        return out;
    }
}
