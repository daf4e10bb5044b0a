package io.plakar.pve.importer.audit.cli;

import io.plakar.pve.importer.audit.AuditDiff;
import io.plakar.pve.importer.audit.AuditJson;
import io.plakar.pve.importer.audit.AuditReportText;
import io.plakar.pve.importer.audit.AuditModel;
import io.plakar.pve.importer.audit.PbsAuditConfig;
import io.plakar.pve.importer.audit.PbsAuditImporter;
import io.plakar.pve.sdk.ConnectorException;
import io.plakar.pve.sdk.Record;
import io.plakar.pve.sdk.RecordSink;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code pbs-audit}: the pbs+audit report on a terminal, without Plakar.
 *
 * <pre>
 * pbs-audit --url https://pbs:8007 --token-id user@pbs!audit [--token-secret-file FILE]
 *           [--fingerprint aa:bb:…|--insecure] [--datastore s1,s2] [--namespace a/b] [--max-depth N]
 *           [--read-logs root|all|none] [--pve-url https://pve:8006 --pve-token-id … [--pve-token-secret-file FILE]
 *           [--pve-fingerprint …|--pve-insecure]] [--json] [--out DIR]
 * pbs-audit diff OLD/summary.json NEW/summary.json
 * </pre>
 * The token secret is read from {@code --token-secret-file} or the environment variable
 * {@code PBS_TOKEN_SECRET} (PVE: {@code --pve-token-secret-file} or {@code PVE_TOKEN_SECRET}),
 * never from the command line. Prints report.txt (or summary.json with {@code --json});
 * {@code --out DIR} also writes every record under DIR. Exit status: 0 done, 1 the audit
 * failed, 2 bad usage or configuration, 3 done but critical collisions were found.
 */
public final class PbsAuditCli {
    private static final Pattern URL = Pattern.compile("https://(\\[[0-9A-Fa-f:.]+\\]|[^/:\\[\\]@\\s]+)(?::([0-9]{1,5}))?/?");

    private PbsAuditCli() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.getenv(), System.out, System.err));
    }

    public static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        if (args.length > 0 && args[0].equals("diff")) {
            return diff(args, out, err);
        }
        Map<String, String> cfg = new LinkedHashMap<>();
        boolean json = false;
        Path outDir = null;
        String secretFile = null;
        String pveSecretFile = null;
        try {
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                String v = null;
                int eq = a.indexOf('=');
                if (a.startsWith("--") && eq > 0) {
                    v = a.substring(eq + 1);
                    a = a.substring(0, eq);
                }
                switch (a) {
                    case "-h", "--help" -> {
                        usage(out);
                        return 0;
                    }
                    case "--json" -> json = true;
                    case "--insecure" -> cfg.put("tls_insecure", "true");
                    case "--pve-insecure" -> cfg.put("pve_tls_insecure", "true");
                    case "--token-secret" , "--pve-token-secret" -> throw new IllegalArgumentException(a
                            + " is not accepted (a secret on the command line is visible to every user): use "
                            + a + "-file or the environment variable " + (a.startsWith("--pve") ? "PVE_TOKEN_SECRET" : "PBS_TOKEN_SECRET"));
                    default -> {
                        if (v == null) {
                            if (i + 1 >= args.length) {
                                throw new IllegalArgumentException("missing value after " + a);
                            }
                            v = args[++i];
                        }
                        switch (a) {
                            case "--url" -> cfg.put("location", location(v));
                            case "--token-id" -> cfg.put("token_id", v);
                            case "--token-secret-file" -> secretFile = v;
                            case "--fingerprint" -> cfg.put("fingerprint", v);
                            case "--datastore" -> cfg.put("datastore", v);
                            case "--namespace" -> cfg.put("namespace", v);
                            case "--max-depth" -> cfg.put("max_depth", v);
                            case "--read-logs" -> cfg.put("read_logs", v);
                            case "--pve-url" -> cfg.put("pve_url", v);
                            case "--pve-token-id" -> cfg.put("pve_token_id", v);
                            case "--pve-token-secret-file" -> pveSecretFile = v;
                            case "--pve-fingerprint" -> cfg.put("pve_fingerprint", v);
                            case "--concurrency" -> cfg.put("concurrency", v);
                            case "--timeout" -> cfg.put("timeout", v);
                            case "--out" -> outDir = Path.of(v);
                            default -> throw new IllegalArgumentException("unknown option " + a + " (see --help)");
                        }
                    }
                }
            }
            if (!cfg.containsKey("location")) {
                throw new IllegalArgumentException("--url is required (see --help)");
            }
            secret(cfg, "token_secret", secretFile, env.get("PBS_TOKEN_SECRET"), "--token-secret-file or PBS_TOKEN_SECRET");
            if (cfg.containsKey("pve_url")) {
                secret(cfg, "pve_token_secret", pveSecretFile, env.get("PVE_TOKEN_SECRET"),
                        "--pve-token-secret-file or PVE_TOKEN_SECRET");
            }
        } catch (IllegalArgumentException | IOException e) {
            err.println("pbs-audit: " + e.getMessage());
            return 2;
        }

        PbsAuditConfig config;
        try {
            config = PbsAuditConfig.parse(cfg);
        } catch (ConnectorException e) {
            err.println("pbs-audit: " + e.getMessage());
            return 2;
        }
        try (PbsAuditImporter importer = new PbsAuditImporter(config, Clock.systemUTC())) {
            AuditModel.Result r = importer.audit();
            out.write(json ? AuditJson.summary(r) : AuditReportText.render(r));
            out.flush();
            if (outDir != null) {
                writeAll(importer, r, outDir);
                err.println("pbs-audit: records written under " + outDir);
            }
            return r.collisions("critical") > 0 ? 3 : 0;
        } catch (ConnectorException e) {
            err.println("pbs-audit: " + e.getMessage());
            return 1;
        } catch (IOException e) {
            err.println("pbs-audit: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }

    private static void writeAll(PbsAuditImporter importer, AuditModel.Result r, Path dir) throws IOException, InterruptedException {
        List<Record> records = new java.util.ArrayList<>();
        importer.emitAll(r, new RecordSink() {
            @Override
            public void emit(Record record) {
                records.add(record);
            }

            @Override
            public boolean cancelled() {
                return false;
            }
        });
        for (Record rec : records) {
            Path p = dir.resolve(rec.pathname().substring(1));
            Files.createDirectories(p.getParent());
            try (InputStream in = importer.open(rec.pathname())) {
                Files.write(p, in.readAllBytes());
            }
        }
    }

    /** {@code pbs-audit diff OLD NEW}: what changed between two audits' summary.json. */
    private static int diff(String[] args, PrintStream out, PrintStream err) {
        if (args.length != 3) {
            err.println("pbs-audit: usage: pbs-audit diff OLD/summary.json NEW/summary.json");
            return 2;
        }
        try {
            com.fasterxml.jackson.databind.ObjectMapper m = new com.fasterxml.jackson.databind.ObjectMapper();
            var older = m.readTree(Files.readAllBytes(Path.of(args[1])));
            var newer = m.readTree(Files.readAllBytes(Path.of(args[2])));
            for (String line : AuditDiff.lines(AuditDiff.compare(older, newer))) {
                out.println(line);
            }
            out.flush();
            return 0;
        } catch (IOException e) {
            err.println("pbs-audit: " + e.getMessage());
            return 2;
        }
    }

    private static String location(String url) {
        Matcher m = URL.matcher(url);
        if (!m.matches()) {
            throw new IllegalArgumentException("--url must be https://host[:port], got " + url);
        }
        return PbsAuditConfig.PROTOCOL + "://" + m.group(1) + (m.group(2) == null ? "" : ":" + m.group(2));
    }

    private static void secret(Map<String, String> cfg, String key, String file, String env, String how) throws IOException {
        String s = null;
        if (file != null) {
            s = Files.readString(Path.of(file), StandardCharsets.UTF_8).strip();
        } else if (env != null && !env.isBlank()) {
            s = env.strip();
        }
        if (s == null || s.isEmpty()) {
            throw new IllegalArgumentException("no token secret: use " + how);
        }
        cfg.put(key, s);
    }

    private static void usage(PrintStream out) {
        out.print("""
                usage: pbs-audit --url https://HOST[:8007] --token-id USER@REALM!NAME [options]
                       pbs-audit diff OLD/summary.json NEW/summary.json

                Audits a Proxmox Backup Server: every snapshot, VMID collisions, duplicates seen
                through PVE storage, per-guest latest backup times. Prints the report to stdout.

                  --token-secret-file FILE   token secret (else the environment variable PBS_TOKEN_SECRET)
                  --fingerprint AA:BB:...    pin the PBS certificate (SHA-256); default: system trust store
                  --insecure                 do not verify the certificate at all (not recommended)
                  --datastore S1[,S2]        datastores to audit (default: every visible one)
                  --namespace A/B            start namespace (default: root)
                  --max-depth N              namespace depth below it, 0-7 (default: all)
                  --read-logs root|all|none  read client logs to learn container nodes (default: root)
                  --pve-url https://PVE:8006 cross-check one PVE cluster
                  --pve-token-id ID          its API token id
                  --pve-token-secret-file F  its secret (else PVE_TOKEN_SECRET)
                  --pve-fingerprint AA:BB:.. pin the PVE certificate
                  --pve-insecure             do not verify the PVE certificate
                  --concurrency N            parallel requests per server (default 8)
                  --timeout 60s              per-request timeout
                  --json                     print summary.json instead of the text report
                  --out DIR                  also write every record (as the Plakar snapshot holds them) under DIR

                exit status: 0 done, 1 audit failed, 2 usage or configuration error, 3 critical collisions found
                """);
    }
}
