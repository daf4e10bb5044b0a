package io.plakar.pve.importer.audit.api;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Shares equal strings (owners, file names, UPIDs of verification jobs…) between the
 * million snapshot objects a big PBS can list.
 */
public final class Interner {
    private final ConcurrentHashMap<String, String> map = new ConcurrentHashMap<>();

    public String intern(String s) {
        if (s == null) {
            return null;
        }
        String prev = map.putIfAbsent(s, s);
        return prev == null ? s : prev;
    }
}
