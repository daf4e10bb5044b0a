package io.plakar.pve.plugin.packaging;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import io.plakar.pve.tools.plakar.Cmd;
import io.plakar.pve.tools.plakar.PlakarHome;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Plakar's own package validator accepts the .ptar that {@code plakar pkg create} makes of the package. */
class ValidatorIT {
    static Path packageDir() {
        return Path.of(System.getProperty("plugin.package", System.getProperty("plugin.dist", "plugin/target/dist")));
    }

    @Test
    void plakarsValidatorAcceptsThePtar(@TempDir Path tmp) throws Exception {
        Path validator = PlakarBinaries.validator();
        PlakarHome plakar = new PlakarHome(PlakarBinaries.plakar(), tmp.resolve("home"));
        Path ptar = plakar.pkgCreate(packageDir(), tmp.resolve("out"));

        Cmd.Result r = Cmd.run(List.of(validator.toString(), "-v", ptar.toString()),
                Map.of("PATH", System.getenv("PATH")), tmp, Duration.ofSeconds(120));
        System.err.println("validator: " + (r.stdout() + r.stderr()).strip());
        assertEquals(0, r.exit(), "Plakar's validator refused the package:\n" + r);
        assertTrue((r.stdout() + r.stderr()).strip().endsWith(ptar + ": ok"), r.toString());
    }
}
