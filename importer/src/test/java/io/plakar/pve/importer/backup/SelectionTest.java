package io.plakar.pve.importer.backup;

import io.plakar.pve.config.ConfigReader;
import io.plakar.pve.sdk.ConnectorException;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SelectionTest {
    static Selection read(Map<String, String> m) throws ConnectorException {
        ConfigReader r = new ConfigReader("t", m);
        Selection s = Selection.read(r);
        r.finish();
        return s;
    }

    static String error(Map<String, String> m) {
        return assertThrows(ConnectorException.class, () -> read(m)).getMessage();
    }

    @Test
    void validSelections() throws Exception {
        assertEquals(new Selection.Vmids(List.of(101)), read(Map.of("vmid", "101")));
        assertEquals(new Selection.Vmids(List.of(101, 102)), read(Map.of("vmid", "101, 102,101")));
        assertEquals(new Selection.All(Set.of()), read(Map.of("all", "")));
        assertEquals(new Selection.All(Set.of(103, 104)), read(Map.of("all", "true", "exclude", "103,104")));
        assertEquals(new Selection.Pool("prod", Set.of(101)), read(Map.of("pool", "prod", "exclude", "101")));
    }

    @Test
    void exactlyOneSelection() {
        assertTrue(error(Map.of()).contains("no guests selected"));
        assertTrue(error(Map.of("all", "false")).contains("no guests selected"));
        assertTrue(error(Map.of("vmid", "100", "pool", "prod")).contains("several selections given (vmid, pool)"));
        assertTrue(error(Map.of("vmid", "100", "exclude", "101")).contains("exclude: only applies"));
    }

    @Test
    void badValues() {
        assertTrue(error(Map.of("vmid", "99")).contains("vmid: must be a VMID"));
        assertTrue(error(Map.of("vmid", "100,abc")).contains("vmid: must be a VMID"));
        assertTrue(error(Map.of("all", "maybe")).contains("all: must be a boolean"));
        assertTrue(error(Map.of("pool", "a b")).contains("pool: must be a pool id"));
        assertTrue(error(Map.of("all", "1", "exclude", "x")).contains("exclude: must be a VMID"));
    }
}
