package io.plakar.pve.importer.audit;

import com.fasterxml.jackson.databind.JsonNode;
import io.plakar.pve.importer.audit.api.ApiException;
import io.plakar.pve.importer.audit.api.PbsClient;
import io.plakar.pve.importer.audit.api.PveClient;
import io.plakar.pve.importer.audit.api.TlsSettings;
import io.plakar.pve.sdk.ConnectorException;
import io.plakar.pve.sdk.ConnectorInfo;
import io.plakar.pve.sdk.FileInfo;
import io.plakar.pve.sdk.Importer;
import io.plakar.pve.sdk.InitContext;
import io.plakar.pve.sdk.Record;
import io.plakar.pve.sdk.RecordSink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.io.FileNotFoundException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * {@code pbs+audit}: records the truth about a Proxmox Backup Server as a snapshot —
 * every backup's metadata and reports (summary, collisions, duplicates, guests, report.txt).
 *
 * <p>Records (all JSON pretty-printed, sizes known at scan time):
 * <pre>
 * /datastores/&lt;store&gt;/status.json
 * /datastores/&lt;store&gt;/ns/&lt;namespace path&gt;/&lt;vm|ct|host&gt;/&lt;id&gt;/&lt;backup-time&gt;.json
 *     (root namespace path = {@code @root}: '@' is not allowed in namespace names;
 *      backup-time = UTC like PBS shows it, e.g. 2024-05-01T10:00:00Z)
 * /report/summary.json, /report/collisions.json, /report/duplicates.json,
 * /report/guests.json, /report/report.txt
 * </pre>
 * Mod times: the backup time for per-snapshot records, the audit time for the others.
 * Per-snapshot content is rendered again on open (deterministic) rather than kept.
 */
public final class PbsAuditImporter implements Importer {
    private static final Logger LOG = LoggerFactory.getLogger(PbsAuditImporter.class);
    private static final int PERM = 0644;

    private final PbsAuditConfig cfg;
    private final PbsClient pbs;
    private final PveClient pve;
    private final Clock clock;
    private final Map<String, Supplier<byte[]>> contents = new ConcurrentHashMap<>();
    private volatile AuditModel.Backup[] index;
    private final List<java.nio.file.Path> temps = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Map<String, java.nio.file.Path> fileContents = new ConcurrentHashMap<>();

    public PbsAuditImporter(PbsAuditConfig cfg, Clock clock) {
        this.cfg = cfg;
        this.clock = clock;
        this.pbs = new PbsClient(cfg.host(), cfg.port(), cfg.tokenId(), cfg.tokenSecret(),
                tls(cfg.fingerprint(), cfg.tlsInsecure(), "PBS " + cfg.host()), cfg.restOptions());
        PbsAuditConfig.Pve p = cfg.pve();
        this.pve = p == null ? null : new PveClient(p.host(), p.port(), p.tokenId(), p.tokenSecret(),
                tls(p.fingerprint(), p.tlsInsecure(), "PVE " + p.host()), cfg.restOptions());
    }

    public static PbsAuditImporter create(InitContext ctx) throws ConnectorException {
        Map<String, String> values = ctx.config();
        return new PbsAuditImporter(PbsAuditConfig.parse(values), Clock.systemUTC());
    }

    static TlsSettings tls(String fingerprint, boolean insecure, String what) {
        if (fingerprint != null) {
            return TlsSettings.pinned(fingerprint);
        }
        return insecure ? TlsSettings.insecure(what) : TlsSettings.system();
    }

    public PbsAuditConfig config() {
        return cfg;
    }

    /**
     * STREAM: Import runs once. Without it plakar runs the importer a second time to count the
     * files, which would read the whole PBS/PVE estate twice.
     */
    @Override
    public ConnectorInfo info() {
        return new ConnectorInfo(cfg.host(), PbsAuditConfig.PROTOCOL, "/", ConnectorInfo.STREAM);
    }

    @Override
    public void ping() throws ConnectorException {
        try {
            pbs.version();
        } catch (ApiException e) {
            throw toConnector(e);
        }
        if (pve != null) {
            try {
                pve.version();
            } catch (ApiException e) {
                throw toConnector(e);
            }
        }
    }

    static ConnectorException toConnector(ApiException e) {
        ConnectorException.Kind k = switch (e.kind()) {
            case AUTH, FORBIDDEN -> ConnectorException.Kind.PERMISSION_DENIED;
            case NOT_FOUND -> ConnectorException.Kind.NOT_FOUND;
            case IO, SERVER -> ConnectorException.Kind.UNAVAILABLE;
            default -> ConnectorException.Kind.FAILED;
        };
        return new ConnectorException(k, PbsAuditConfig.PROTOCOL + ": " + e.getMessage(), e);
    }

    /** Reads everything and builds the model (also used by the command line and the benchmark). */
    public AuditModel.Result audit() throws ConnectorException, InterruptedException {
        Instant now = Instant.ofEpochSecond(clock.instant().getEpochSecond());
        AuditInput in;
        try {
            in = new AuditCollector(cfg, pbs, pve).collect(now);
        } catch (ApiException e) {
            throw toConnector(e);
        }
        AuditModel.Result r = AuditModel.build(in);
        if (cfg.previousSummary() != null) {
            try {
                JsonNode previous = AuditJson.MAPPER.readTree(java.nio.file.Files.readAllBytes(cfg.previousSummary()));
                r.changes = AuditDiff.compare(previous, AuditJson.MAPPER.valueToTree(AuditJson.summaryDoc(r)));
            } catch (java.io.IOException e) {
                in.notes.add("previous_summary " + cfg.previousSummary() + " unreadable, no changes shown: " + e.getMessage());
            }
        }
        return r;
    }

    @Override
    public void scan(RecordSink sink) throws ConnectorException, InterruptedException {
        long t0 = System.nanoTime();
        AuditModel.Result r = audit();
        LOG.info("pbs+audit: read {} snapshots in {} ms ({} requests, {} retries)", r.rawPbs,
                (System.nanoTime() - t0) / 1_000_000, pbs.http().requestCount(), pbs.http().retryCount());
        emitAll(r, sink);
    }

    /** Emits every record of a finished audit; content is served by {@link #open}. */
    public void emitAll(AuditModel.Result r, RecordSink sink) throws InterruptedException {
        Instant auditTime = r.input.auditTime;
        for (AuditInput.StoreData sd : r.input.stores) {
            if (sink.cancelled()) {
                return;
            }
            emitBytes(sink, AuditJson.statusPath(sd.store), AuditJson.status(r, sd), auditTime);
        }
        List<AuditModel.Backup> snaps = new ArrayList<>();
        for (AuditModel.Backup b : r.backups) {
            if (b.label == AuditModel.Label.PBS) {
                snaps.add(b);
            }
        }
        snaps.sort(ORDER);
        index = snaps.toArray(new AuditModel.Backup[0]);
        snaps = null;
        for (AuditModel.Backup b : index) {
            if (sink.cancelled()) {
                return;
            }
            String path = AuditJson.snapshotPath(b);
            byte[] bytes = AuditJson.snapshot(b);
            sink.emit(Record.file(path, FileInfo.regular(name(path), bytes.length, PERM, Instant.ofEpochSecond(b.time))));
        }
        emitBytes(sink, "/report/summary.json", AuditJson.summary(r), auditTime);
        emitBytes(sink, "/report/collisions.json", AuditJson.collisions(r), auditTime);
        emitBytes(sink, "/report/duplicates.json", AuditJson.duplicates(r), auditTime);
        emitGuests(r, sink, auditTime);
        emitBytes(sink, "/report/report.txt", AuditReportText.render(r), auditTime);
        emitBytes(sink, "/report/report.html", AuditReportHtml.render(r), auditTime);
    }

    /** guests.json goes to a temporary file (deleted on close): it can reach hundreds of MiB. */
    private void emitGuests(AuditModel.Result r, RecordSink sink, Instant mtime) throws InterruptedException {
        String path = "/report/guests.json";
        try {
            java.nio.file.Path tmp = java.nio.file.Files.createTempFile("pbs-audit-guests", ".json");
            tmp.toFile().deleteOnExit();
            temps.add(tmp);
            try (java.io.OutputStream os = new java.io.BufferedOutputStream(java.nio.file.Files.newOutputStream(tmp), 1 << 16)) {
                AuditJson.guests(r, os);
            }
            long size = java.nio.file.Files.size(tmp);
            fileContents.put(path, tmp);
            sink.emit(Record.file(path, FileInfo.regular(name(path), size, PERM, mtime)));
        } catch (java.io.IOException | java.io.UncheckedIOException e) {
            sink.emit(Record.failed(path, "cannot write guests.json to a temporary file: " + e.getMessage()));
        }
    }

    private void emitBytes(RecordSink sink, String path, byte[] bytes, Instant mtime) throws InterruptedException {
        contents.put(path, () -> bytes);
        sink.emit(Record.file(path, FileInfo.regular(name(path), bytes.length, PERM, mtime)));
    }

    private static String name(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    /** Per-snapshot records, in emission order: (store, namespace, type, id, time). */
    private static final Comparator<AuditModel.Backup> ORDER = Comparator
            .comparing((AuditModel.Backup b) -> b.store)
            .thenComparing(b -> b.ns)
            .thenComparing(b -> b.type)
            .thenComparing(b -> b.id)
            .thenComparingLong(b -> b.time);

    @Override
    public InputStream open(String pathname) throws FileNotFoundException {
        java.nio.file.Path file = fileContents.get(pathname);
        if (file != null) {
            try {
                return java.nio.file.Files.newInputStream(file);
            } catch (java.io.IOException e) {
                throw new FileNotFoundException(pathname + ": " + e.getMessage());
            }
        }
        Supplier<byte[]> s = contents.get(pathname);
        if (s != null) {
            return new ByteArrayInputStream(s.get());
        }
        AuditModel.Backup b = find(pathname);
        if (b == null) {
            throw new FileNotFoundException(pathname + ": file does not exist");
        }
        return new ByteArrayInputStream(AuditJson.snapshot(b));
    }

    /**
     * Finds a per-snapshot record by path without a path map (a million paths would cost
     * hundreds of MiB): parse the path, binary-search the sorted index.
     */
    private AuditModel.Backup find(String pathname) {
        AuditModel.Backup[] idx = index;
        String[] p = pathname.split("/");
        // "", "datastores", store, "ns", ns…, type, id, time.json
        if (idx == null || p.length < 8 || !p[1].equals("datastores") || !p[3].equals("ns")
                || !p[p.length - 1].endsWith(".json")) {
            return null;
        }
        String ns = String.join("/", Arrays.asList(p).subList(4, p.length - 3));
        if (ns.equals(AuditInput.ROOT_NS_PATH)) {
            ns = "";
        }
        long time;
        try {
            String t = p[p.length - 1];
            time = Instant.parse(t.substring(0, t.length() - 5)).getEpochSecond();
        } catch (DateTimeParseException e) {
            return null;
        }
        AuditModel.Backup key = new AuditModel.Backup("", AuditModel.Label.PBS, p[p.length - 3], p[p.length - 2], time,
                -1, false, null, p[2], ns, null, null);
        int i = Arrays.binarySearch(idx, key, ORDER);
        if (i < 0 || !AuditJson.snapshotPath(idx[i]).equals(pathname)) {
            return null;
        }
        return idx[i];
    }

    @Override
    public void close() {
        for (java.nio.file.Path p : temps) {
            try {
                java.nio.file.Files.deleteIfExists(p);
            } catch (java.io.IOException ignored) {
                // deleteOnExit remains
            }
        }
        pbs.close();
        if (pve != null) {
            pve.close();
        }
    }
}
