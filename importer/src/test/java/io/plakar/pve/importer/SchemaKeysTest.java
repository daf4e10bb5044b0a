package io.plakar.pve.importer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.plakar.pve.importer.audit.PbsAuditConfig;
import io.plakar.pve.importer.backup.ProxmoxImporterConfig;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** The JSON schemas shipped in the package describe exactly the keys each importer's parser accepts. */
class SchemaKeysTest {
    static Set<String> schemaKeys(String file) throws Exception {
        JsonNode schema = new ObjectMapper().readTree(Path.of("..", "manifest", file).toFile());
        assertFalse(schema.path("additionalProperties").asBoolean(true), file + " must refuse unknown keys like the parser");
        Set<String> keys = new TreeSet<>();
        schema.path("properties").fieldNames().forEachRemaining(keys::add);
        return keys;
    }

    @Test
    void proxmoxImporter() throws Exception {
        assertEquals(schemaKeys("proxmoxImporter.schema.json"), new TreeSet<>(ProxmoxImporterConfig.keys()));
    }

    @Test
    void pbsAuditImporter() throws Exception {
        assertEquals(schemaKeys("pbsAuditImporter.schema.json"), new TreeSet<>(PbsAuditConfig.keys()));
    }
}
