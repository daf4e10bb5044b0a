package io.plakar.pve.importer.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads restore drill result files: one JSON object per line,
 * {@code {"guest": "vm/100" or 100, "dump": "...", "snapshot": "...", "result": "pass"|"fail",
 * "phase": "...", "timings": {...}, "time": "<ISO-8601>"}}. A line that cannot be read is skipped
 * and counted in a note: one bad line must not hide the other drills.
 */
final class DrillReports {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern GUEST = Pattern.compile("(?:(vm|ct|qemu|lxc)/)?([1-9][0-9]{2,8})");

    private DrillReports() {
    }

    static List<DrillResult> read(List<Path> files, List<String> notes) {
        List<DrillResult> out = new ArrayList<>();
        for (Path f : files) {
            int bad = 0;
            String firstBad = null;
            List<String> lines;
            try {
                lines = Files.readAllLines(f, StandardCharsets.UTF_8);
            } catch (IOException e) {
                notes.add("drill report " + f + " unreadable: " + e.getMessage());
                continue;
            }
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i).strip();
                if (line.isEmpty()) {
                    continue;
                }
                try {
                    out.add(parse(JSON.readTree(line)));
                } catch (IOException | IllegalArgumentException | DateTimeParseException e) {
                    bad++;
                    if (firstBad == null) {
                        firstBad = "line " + (i + 1) + ": " + e.getMessage().lines().findFirst().orElse("");
                    }
                }
            }
            if (bad > 0) {
                notes.add("drill report " + f + ": " + bad + " line(s) skipped, first " + firstBad);
            }
        }
        return out;
    }

    static DrillResult parse(JsonNode n) {
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException("not a JSON object");
        }
        JsonNode g = n.get("guest");
        Matcher m = GUEST.matcher(g == null || g.isNull() ? "" : g.asText());
        if (!m.matches()) {
            throw new IllegalArgumentException("guest must be <vm|ct>/<vmid> or a VMID");
        }
        String type = m.group(1) == null ? null : GuestTypes.fromPve(m.group(1));
        String result = text(n, "result");
        if (!"pass".equals(result) && !"fail".equals(result)) {
            throw new IllegalArgumentException("result must be pass or fail");
        }
        String time = text(n, "time");
        if (time == null) {
            throw new IllegalArgumentException("time is required");
        }
        long epoch = OffsetDateTime.parse(time).toEpochSecond();
        return new DrillResult(type, m.group(2), text(n, "dump"), text(n, "snapshot"), result.equals("pass"),
                text(n, "phase"), epoch);
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
