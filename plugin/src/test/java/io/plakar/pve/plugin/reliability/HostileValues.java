package io.plakar.pve.plugin.reliability;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Hostile configuration values, by family, and a seeded generator mixing them with plausible
 * fragments. Every shell payload touches {@link #canary}: if that file ever exists, some text
 * reached a shell.
 */
final class HostileValues {
    final String canary;
    final Map<String, List<String>> families = new LinkedHashMap<>();
    private final List<String> fragments = new ArrayList<>();

    HostileValues(String canary) {
        this.canary = canary;
        String t = "touch " + canary;
        families.put("shell metacharacters", List.of("; " + t, "$(" + t + ")", "`" + t + "`", "| " + t, "&& " + t,
                "' ; " + t + " ; '", "\" ; " + t + " ; \"", ">" + canary, "100;" + t, "pve1$(" + t + ")",
                "/tmp/x;" + t, "/tmp/$(" + t + ")", "/tmp/a b", "*", "~root", "${IFS}" + t, "a\\;b", "-o ProxyCommand=" + t,
                "--help", "-rf"));
        families.put("newline / CR / NUL / control", List.of("100\n" + t, "pve1\r\n" + t, "100\u0000", "\u0000" + t,
                "/tmp/x\u0000/y", "a\tb", "\u001b[31mred", "\u007f", "true\n", "\n"));
        families.put("..", List.of("..", "../../etc", "/tmp/../etc", "/..", "/../../root/.ssh", "./x", "/tmp/./..", "..;" + t,
                "/var/lib/vz/dump/../../../etc"));
        families.put("very long", List.of("A".repeat(5000), "1".repeat(4097), "/" + "a/".repeat(3000), "x".repeat(100_000),
                "pve" + "1".repeat(300)));
        families.put("negative / huge numbers", List.of("-1", "-100", "0", "-0", "99999999999999999999999", "9223372036854775808",
                "2147483648", "1e9", "0x10", "+100", " 100", "100 ", "1_000", "NaN", "Infinity", "-9223372036854775809",
                "100000000000", "65536", "-1s", "9999999h", "1ns"));
        families.put("unicode", List.of("１００", "٣٠٠", "pve\u0661", "nöde", "\u202Eevil", "\uD83D\uDE00", "a\u0301",
                "\uFEFF100", "ｐｖｅ１", "/tmp/\u2215etc", "ＴＲＵＥ", "тrue", "İ"));
        families.put("empty / blank / format strings", List.of("", " ", "%s%n%x", "{}", "${jndi:ldap://127.0.0.1/x}",
                "null", "[]", "'", "\""));
        families.put("URLs / hosts", List.of("proxmox+backup://user:pw@host", "proxmox+backup://host;" + t,
                "proxmox+backup://[::1]:0", "proxmox+backup://host:99999", "pbs+audit://127.0.0.1:0", "https://evil/..",
                "proxmox+backup://-oProxyCommand=x", "proxmox+backup://127.0.0.1/../x", "file:///etc/passwd",
                "pbs+audit://a@b", "https://[fe80::1%25eth0]:8006"));
        for (List<String> l : families.values()) {
            fragments.addAll(l);
        }
        fragments.addAll(List.of("100", "101", "/tmp/dumps", "pve1", "local-lvm", "prod", "true", "zstd", "snapshot", "a@pbs!t",
                "store1", "60s", "SHA256:", ":", ",", "/", "=", "@", "!", "-", "_"));
    }

    /** A generated value: 1-4 fragments, sometimes cut, sometimes with a random code point. */
    String generate(Random r) {
        StringBuilder sb = new StringBuilder();
        int n = 1 + r.nextInt(4);
        for (int i = 0; i < n; i++) {
            String f = fragments.get(r.nextInt(fragments.size()));
            if (f.length() > 200 && r.nextBoolean()) {
                f = f.substring(0, 1 + r.nextInt(200));
            }
            sb.append(f);
            if (r.nextInt(5) == 0) {
                int cp = switch (r.nextInt(4)) {
                    case 0 -> r.nextInt(0x20);
                    case 1 -> 0x21 + r.nextInt(0x5e);
                    case 2 -> 0xa0 + r.nextInt(0x2000);
                    default -> 0x1F300 + r.nextInt(0x300);
                };
                sb.appendCodePoint(cp);
            }
        }
        return sb.toString();
    }

    List<String> all() {
        List<String> l = new ArrayList<>();
        families.values().forEach(l::addAll);
        return l;
    }
}
