package io.plakar.pve.plugin.packaging;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The package Plakar installs: manifest complete, executables present, schemas in step with the parsers. */
class PackageIT {
    static final Path DIST = Path.of(System.getProperty("plugin.dist", "plugin/target/dist"));

    @Test
    void manifestNamesEveryConnectorWithItsFiles() throws Exception {
        JsonNode m = new ObjectMapper(new YAMLFactory()).readTree(DIST.resolve("manifest.yaml").toFile());
        assertEquals("v1.1.0", m.path("api_version").asText());
        for (String field : List.of("name", "display_name", "description", "license")) {
            assertFalse(m.path(field).asText().isBlank(), field);
        }
        // no homepage until one exists: a dead link is worse than none
        assertTrue(m.path("homepage").isMissingNode(), "homepage");
        assertTrue(Files.isRegularFile(DIST.resolve("README.md")), "README.md at the package root");
        assertTrue(m.path("tags").size() > 0);
        List<String> seen = new ArrayList<>();
        Set<String> packed = new TreeSet<>();
        packed.add("manifest.yaml");
        for (JsonNode c : m.path("connectors")) {
            String exe = c.path("executable").asText();
            seen.add(c.path("type").asText() + " " + c.path("protocols").get(0).asText() + " " + exe);
            assertTrue(Files.isExecutable(DIST.resolve(exe)), exe);
            assertTrue(packed.add(exe), "packed twice: " + exe);
            // Plakar's class list: proxmox is a subclass of hypervisor (as the Go plugin declares)
            assertEquals("hypervisor", c.path("class").asText(), exe);
            assertEquals("proxmox", c.path("subclass").asText(), exe);
            for (JsonNode f : c.path("extra_files")) {
                // plakar pkg create opens each entry as a file: no directory, no duplicate
                assertTrue(Files.isRegularFile(DIST.resolve(f.asText()), java.nio.file.LinkOption.NOFOLLOW_LINKS), f.asText());
                assertTrue(packed.add(f.asText()), "packed twice: " + f.asText());
            }
        }
        for (JsonNode c : m.path("connectors")) {
            assertTrue(packed.contains(c.path("validator").asText()), "validator not packed: " + c.path("validator").asText());
        }
        Set<String> present = new TreeSet<>();
        try (var walk = Files.walk(DIST)) {
            walk.filter(Files::isRegularFile).forEach(f -> present.add(DIST.relativize(f).toString()));
        }
        assertEquals(present, packed, "the package must carry every file of dist/, and only those");
        assertEquals(List.of("importer proxmox+backup proxmoxImporter", "exporter proxmox+backup proxmoxExporter",
                "importer pbs+audit pbsAuditImporter"), seen);
    }

    /**
     * The unit tests beside each parser (SchemaKeysTest) compare manifest/*.schema.json with the
     * parser's own key set; here: the package carries exactly those files.
     */
    @ParameterizedTest
    @CsvSource({"proxmoxImporter", "proxmoxExporter", "pbsAuditImporter"})
    void thePackageCarriesTheCheckedSchemas(String exe) throws Exception {
        Path manifestDir = Path.of(System.getProperty("repo.root", "."), "manifest");
        assertEquals(Files.readString(manifestDir.resolve(exe + ".schema.json")),
                Files.readString(DIST.resolve(exe + ".schema.json")), exe + ".schema.json");
    }
}
