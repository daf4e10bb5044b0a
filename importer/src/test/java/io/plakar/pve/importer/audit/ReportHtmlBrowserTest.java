package io.plakar.pve.importer.audit;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * report.html of the hand-computed estate, read by a real headless Chromium: what a person sees
 * (the verdict, a collision row, a stale guest) is in the rendered page, and the screenshot is
 * kept as target/audit-report/report.png.
 */
class ReportHtmlBrowserTest extends EstateFixture {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");

    @Test
    void aPersonSeesTheVerdictTheCollisionAndTheStaleGuest() throws Exception {
        AuditModel.Result r = importer(estate()).audit();
        byte[] html = AuditReportHtml.render(r);
        String page = new String(html, StandardCharsets.UTF_8);
        // self-contained: nothing fetched, nothing run
        assertFalse(page.contains("<script"), "no script");
        assertFalse(page.contains("http://") && !page.contains("xmlns=\"http://www.w3.org/2000/svg\""), "no external asset");
        assertFalse(page.contains("src=") || page.contains("<link"), "no external asset");
        assertTrue(page.contains("<p id=\"verdict\" class=\"verdict critical\">CRITICAL: 10 problems: 2 critical, 6 warning, 2 info</p>"));

        assumeTrue(Files.isExecutable(CHROMIUM), "SKIPPED: /usr/bin/chromium is not installed (apt-get install -y chromium);"
                + " report.html was not rendered in a browser");
        Path dir = Path.of("target", "audit-report").toAbsolutePath();
        Files.createDirectories(dir);
        Path file = dir.resolve("report.html");
        Files.write(file, html);
        String dom = new String(chromium(dir, "--dump-dom", file.toUri().toString()), StandardCharsets.UTF_8);
        assertTrue(dom.contains("CRITICAL: 10 problems: 2 critical, 6 warning, 2 info"), dom);
        assertTrue(dom.contains("<td>warning</td><td>vm/101</td><td>main:@root, main:old</td>"), dom);
        assertTrue(dom.contains("<td>vm/101</td><td>db</td><td>stale</td><td>2024-04-30T02:26:40Z</td><td>2d 7h</td>"), dom);
        Path png = dir.resolve("report.png");
        Files.deleteIfExists(png);
        chromium(dir, "--screenshot=" + png, "--window-size=1280,1600", file.toUri().toString());
        byte[] head = java.util.Arrays.copyOf(Files.readAllBytes(png), 8);
        assertArrayEquals(new byte[]{(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}, head, "a PNG screenshot");
    }

    /** Runs Chromium headless with a fresh profile, offline; returns its stdout. */
    private static byte[] chromium(Path dir, String... args) throws Exception {
        Path profile = Files.createTempDirectory("chromium-profile");
        List<String> cmd = new java.util.ArrayList<>(List.of(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--user-data-dir=" + profile));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectError(dir.resolve("chromium.log").toFile()).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        boolean done = p.waitFor(120, TimeUnit.SECONDS);
        try (var files = Files.walk(profile)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
        assertTrue(done, "chromium finished");
        assertEquals(0, p.exitValue(), "chromium exit status (see " + dir.resolve("chromium.log") + ")");
        return out;
    }
}
