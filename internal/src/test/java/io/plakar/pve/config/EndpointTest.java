package io.plakar.pve.config;

import org.junit.jupiter.api.Test;

import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EndpointTest {
    static Endpoint ok(String text) throws Exception {
        return Endpoint.parse("proxmox+backup", text, false);
    }

    static String bad(String text) {
        return assertThrows(Endpoint.Invalid.class, () -> Endpoint.parse("proxmox+backup", text, true), text).getMessage();
    }

    @Test
    void hostsPortsAndBrackets() throws Exception {
        assertEquals(new Endpoint("pve1.example.com", OptionalInt.empty()), ok("proxmox+backup://pve1.example.com"));
        assertEquals(new Endpoint("10.0.0.1", OptionalInt.of(2222)), ok("proxmox+backup://10.0.0.1:2222/"));
        Endpoint v6 = ok("proxmox+backup://[fd00::1]:22");
        assertEquals("fd00::1", v6.host());
        assertEquals("[fd00::1]", v6.urlHost());
        assertEquals(new Endpoint("", OptionalInt.empty()), ok("proxmox+backup://"));
    }

    @Test
    void refusesWhatIsNotAPlainLocation() {
        assertTrue(bad("proxmox+backup://").contains("needs a host"));
        for (String s : new String[] {"pbs+audit://h", "proxmox+backup://h/x", "proxmox+backup://u@h",
                "proxmox+backup://h?x=1", "proxmox+backup://h#f", "proxmox+backup:h", "proxmox+backup://h:"}) {
            assertTrue(bad(s).startsWith("must look like proxmox+backup://"), s + ": " + bad(s));
        }
        assertTrue(bad("proxmox+backup://h:70000").contains("between 1 and 65535"));
        assertTrue(bad("proxmox+backup://a_b").startsWith("host "), bad("proxmox+backup://a_b"));
        assertTrue(bad("proxmox+backup://300.1.1.1").contains("IPv4"));
    }

    @Test
    void bareHosts() throws Exception {
        assertEquals("fd00::2", Endpoint.host("[fd00::2]"));
        assertEquals("10.0.0.12", Endpoint.host("10.0.0.12"));
        assertThrows(Endpoint.Invalid.class, () -> Endpoint.host("a b"));
    }
}
