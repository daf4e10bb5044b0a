package io.plakar.pve.importer.backup;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VzdumpErrorsTest {
    @Test
    void picksThePerGuestErrorOverTheJobSummary() {
        List<String> lines = List.of("INFO: Starting Backup of VM 101 (lxc)", "ERROR: Backup of VM 101 failed - CT is locked (backup)",
                "INFO: Failed at 2024-05-01 12:00:00", "INFO: Backup job finished with errors", "job errors");
        assertEquals("ERROR: Backup of VM 101 failed - CT is locked (backup)", VzdumpErrors.lastErrorLine(lines));
        assertEquals("you can only backup a single VM with option --stdout",
                VzdumpErrors.lastErrorLine(List.of("you can only backup a single VM with option --stdout")));
        assertNull(VzdumpErrors.lastErrorLine(List.of()));
        assertTrue(VzdumpErrors.refusedStdout(List.of("ERROR: Backup of VM 100 failed - unable to pipe backup to stdout")));
    }
}
