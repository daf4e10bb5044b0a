package io.plakar.pve.plugin.packaging;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.grpc.StatusRuntimeException;
import io.plakar.pve.testkit.host.PluginProcess;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The package Plakar installs: manifest complete, executables present, schemas in step with the parsers. */
class PackageIT {
    static final Path DIST = Path.of(System.getProperty("plugin.dist", "plugin/target/dist"));
    static final Pattern VALID = Pattern.compile("valid options: ([^)]*)\\)");

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

    @ParameterizedTest
    @CsvSource({"proxmoxImporter,proxmox+backup,importer", "proxmoxExporter,proxmox+backup,exporter",
            "pbsAuditImporter,pbs+audit,importer"})
    void schemaDescribesExactlyTheKeysTheParserAccepts(String exe, String proto, String kind) throws Exception {
        JsonNode schema = new ObjectMapper().readTree(DIST.resolve(exe + ".schema.json").toFile());
        Set<String> schemaKeys = new TreeSet<>();
        schema.path("properties").fieldNames().forEachRemaining(schemaKeys::add);
        assertFalse(schema.path("additionalProperties").asBoolean(true), "schema must refuse unknown keys like the parser");

        String message;
        try (PluginProcess p = PluginProcess.spawn(DIST.resolve(exe), Map.of())) {
            try {
                if (kind.equals("exporter")) {
                    p.exporter().init(proto, Map.of("zz_not_a_key", "1"));
                } else {
                    p.importer().init(proto, Map.of("zz_not_a_key", "1"));
                }
                throw new AssertionError("an unknown key must be refused");
            } catch (StatusRuntimeException e) {
                message = e.getStatus().getDescription();
            }
        }
        Matcher m = VALID.matcher(message);
        assertTrue(m.find(), message);
        Set<String> parserKeys = new TreeSet<>(List.of(m.group(1).split(", ")));
        assertEquals(parserKeys, schemaKeys, "schema " + exe + ".schema.json and the config parser disagree");
        for (JsonNode required : schema.path("required")) {
            assertTrue(message.contains(required.asText() + ": is required"), required.asText() + " in " + message);
        }
    }
}
