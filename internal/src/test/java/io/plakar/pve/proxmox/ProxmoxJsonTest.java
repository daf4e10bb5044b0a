package io.plakar.pve.proxmox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.OptionalLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProxmoxJsonTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode v(String json) throws Exception {
        return JSON.readTree(json);
    }

    @Test
    void integersFromNumbersStringsAndBooleans() throws Exception {
        assertEquals(OptionalLong.of(101), ProxmoxJson.integer(v("101")));
        assertEquals(OptionalLong.of(101), ProxmoxJson.integer(v("\" 101 \"")));
        assertEquals(OptionalLong.of(101), ProxmoxJson.integer(v("\"101.0\"")));
        assertEquals(OptionalLong.of(1), ProxmoxJson.integer(v("true")));
    }

    @Test
    void aFractionIsNotAnInteger() throws Exception {
        assertEquals(OptionalLong.empty(), ProxmoxJson.integer(v("\"101.5\"")));
        assertEquals(OptionalLong.empty(), ProxmoxJson.integer(v("101.5")));
        assertEquals(7, ProxmoxJson.integer(v("{\"a\":\"101.5\"}"), "a", 7));
        assertEquals(OptionalLong.empty(), ProxmoxJson.integer(v("\"NaN\"")));
    }

    @Test
    void perlBooleans() throws Exception {
        for (String t : new String[] {"1", "\"1\"", "true", "\"yes\"", "\"on\"", "\"2\"", "2"}) {
            assertTrue(ProxmoxJson.bool(v(t), false), t);
        }
        for (String f : new String[] {"0", "\"0\"", "false", "\"no\"", "\"off\"", "\"\""}) {
            assertFalse(ProxmoxJson.bool(v(f), true), f);
        }
        assertTrue(ProxmoxJson.bool(v("\"maybe\""), true));
        assertTrue(ProxmoxJson.bool(v("{}"), "missing", true));
    }

    @Test
    void textRendersNumbersAndIgnoresContainers() throws Exception {
        assertEquals("1", ProxmoxJson.text(v("{\"node\":1}"), "node"));
        assertNull(ProxmoxJson.text(v("{\"node\":null}"), "node"));
        assertNull(ProxmoxJson.text(v("{\"node\":[1]}"), "node"));
    }
}
