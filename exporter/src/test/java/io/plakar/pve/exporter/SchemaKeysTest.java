package io.plakar.pve.exporter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** The JSON schema shipped in the package describes exactly the keys the exporter's parser accepts. */
class SchemaKeysTest {
    @Test
    void proxmoxExporter() throws Exception {
        JsonNode schema = new ObjectMapper().readTree(Path.of("..", "manifest", "proxmoxExporter.schema.json").toFile());
        assertFalse(schema.path("additionalProperties").asBoolean(true), "the schema must refuse unknown keys like the parser");
        Set<String> keys = new TreeSet<>();
        schema.path("properties").fieldNames().forEachRemaining(keys::add);
        assertEquals(keys, new TreeSet<>(ProxmoxExporterConfig.keys()));
    }
}
