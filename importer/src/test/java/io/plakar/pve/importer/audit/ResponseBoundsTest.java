package io.plakar.pve.importer.audit;

import io.plakar.pve.importer.audit.api.ApiException;
import io.plakar.pve.importer.audit.api.PbsClient;
import io.plakar.pve.importer.audit.api.RestClient;
import io.plakar.pve.importer.audit.api.TlsSettings;
import io.plakar.pve.testkit.pbs.FakePbs;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** An API answer larger than the bound is refused, never read into the heap. */
class ResponseBoundsTest {
    @Test
    void anAnswerOverTheBoundIsRefused() throws Exception {
        try (FakePbs pbs = new FakePbs("audit@pbs!t", "secret")) {
            pbs.start();
            RestClient.Options small = RestClient.Options.defaults().withBackoff(1, Duration.ofMillis(1)).withMaxBody(16);
            try (PbsClient c = new PbsClient("127.0.0.1", pbs.port(), "audit@pbs!t", "secret",
                    TlsSettings.pinned(pbs.fingerprint()), small)) {
                ApiException e = assertThrows(ApiException.class, c::version);
                assertTrue(e.getMessage().contains("larger than 16 bytes"), e.getMessage());
            }
            try (PbsClient c = new PbsClient("127.0.0.1", pbs.port(), "audit@pbs!t", "secret",
                    TlsSettings.pinned(pbs.fingerprint()), RestClient.Options.defaults())) {
                c.version(); // the default bound reads a normal answer
            }
        }
    }
}
