package io.plakar.pve.exporter;

import io.plakar.pve.exporter.ProxmoxExporterConfig.RestoreTransport;
import io.plakar.pve.proxmox.DumpName;
import io.plakar.pve.proxmox.NodePing;
import io.plakar.pve.proxmox.Sizes;
import io.plakar.pve.sdk.ConnectorException;
import io.plakar.pve.sdk.ConnectorInfo;
import io.plakar.pve.sdk.Exporter;
import io.plakar.pve.sdk.Record;
import io.plakar.pve.sdk.Result;
import org.slf4j.Logger;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The {@code proxmox+backup} exporter: every dump record of a snapshot becomes a restored
 * guest; everything else is acknowledged as skipped with a note. One result per record; a
 * failed guest never stops the others.
 *
 * <p>Go reference plugin layout: its {@code <dump>_pool.conf} sidecar sorts after the dump,
 * so when no {@code pool=} was given such a dump is staged at its own record and restored
 * once its sidecars were read (see {@link DeferredRestore}). Its record is answered with a
 * deferred result, settled (OK or the restore's error) when the restore ran: at its pool
 * sidecar, at the next record outside its directory, or when the host sends no more. A host
 * that cancels or goes away before its last record gets no restore started after that.
 */
public final class ProxmoxExporter implements Exporter {
    private static final Logger LOG = TransferLog.log();
    private static final int MAX_SIDECAR = 4096;

    private final ProxmoxExporterConfig config;
    private final RestoreTarget target;
    private final GuestRestore steps;
    /** Drill mode only: the drill's own restore steps (its options: --unique 1, drill_pool, drill_storage, no start). */
    private final GuestRestore drillSteps;
    private final DrillRun drill;
    private final DrillReport drillReport;
    private boolean sweepDue;
    /** Held while a drill runs: a Close (host gone, cancel) waits for its guest to be destroyed before the process ends. */
    private final java.util.concurrent.locks.ReentrantLock drillRunning = new java.util.concurrent.locks.ReentrantLock();
    private int dumpsSeen;
    private DeferredRestore pending;
    private final List<Result> settled = new ArrayList<>();
    private final RestoreSummary summary = new RestoreSummary();
    /** An Export stream began and the host has not sent its last record yet. */
    private boolean inStream;
    private volatile boolean aborted;

    ProxmoxExporter(ProxmoxExporterConfig config, RestoreTarget target) {
        this.config = config;
        this.target = target;
        this.steps = new GuestRestore(config.restore(), target, config.connection().cleanup(), config.linkDown());
        DrillOptions d = config.drill();
        if (d.enabled()) {
            var o = config.restore();
            var drillOptions = new ProxmoxExporterConfig.RestoreOptions(java.util.OptionalInt.empty(), d.storage(),
                    Optional.of(d.pool()), true, false, false, o.bwlimitKiB(), o.transport(), o.shutdownTimeout());
            // the staged file is always removed by the drill, whatever cleanup= says: a drill leaves nothing
            this.drillSteps = new GuestRestore(drillOptions, target, true, false);
            this.drill = new DrillRun(d, target, drillSteps);
            this.drillReport = new DrillReport(d.report());
        } else {
            this.drillSteps = null;
            this.drill = null;
            this.drillReport = null;
        }
    }

    /** Reachability: the node answers {@code pvesh get /version} through the runner restores will use. */
    @Override
    public void ping() throws ConnectorException {
        NodePing.check(target.runner());
    }

    @Override
    public ConnectorInfo info() {
        return new ConnectorInfo(target.origin(), "proxmox+backup", "/", 0);
    }

    @Override
    public Result export(Record record, InputStream content) {
        String path = record.pathname();
        if (record.hasError()) {
            return skipped(record, "the snapshot holds an error for this path");
        }
        SnapshotEntry entry = SnapshotLayout.classify(path, record.isDirectory() || !record.hasReader());
        if (pending != null && !pending.isOwnSidecar(entry)) {
            // the deferred dump's directory is done without a pool sidecar: restore it now
            finishPending();
        }
        if (entry instanceof SnapshotEntry.Refused r) {
            LOG.warn("{}: refused: {}", r.path(), r.reason());
            return Result.failed(record, "refused snapshot path " + r.path() + ": " + r.reason());
        }
        if (entry instanceof SnapshotEntry.Sidecar s) {
            return sidecar(record, s, content);
        }
        if (entry instanceof SnapshotEntry.Dump d) {
            Result r = dump(record, d, content);
            summary.dumpResult(r);
            return r;
        }
        return skipped(record, ((SnapshotEntry.Skip) entry).note());
    }

    private Result skipped(Record record, String note) {
        if (!record.isDirectory()) {
            LOG.info("{}: skipped ({})", SnapshotLayout.printable(record.pathname()), note);
        }
        return Result.ok(record);
    }

    private Result dump(Record record, SnapshotEntry.Dump d, InputStream content) {
        dumpsSeen++;
        if (aborted) {
            return Result.failed(record, "not restored: the host cancelled the restore");
        }
        String wrongNode = target.localModeMismatch();
        if (wrongNode != null) {
            return Result.failed(record, wrongNode);
        }
        if (drill != null) {
            return drill(record, d, content);
        }
        var opts = config.restore();
        if (opts.newId().isPresent() && dumpsSeen > 1) {
            return Result.failed(record, "newid=" + opts.newId().getAsInt() + " applies to exactly one guest, but this "
                    + "restore holds more than one dump; this one was not restored. Restore one dump at a time "
                    + "(<snapshot>:<path of the dump>) to give it a new id");
        }
        DumpName name = d.name();
        int vmid = opts.newId().orElse(name.vmid());
        TargetIds ids = config.targetIds();
        if (ids.active()) {
            var mapped = ids.targetOf(name.vmid());
            if (mapped.isEmpty()) {
                return Result.failed(record, ids.noTarget(name.vmid()));
            }
            vmid = mapped.getAsInt();
            String taken = mappedTargetTaken(name, vmid);
            if (taken != null) {
                LOG.error("restore {} {} as {}: {}", name.type().id(), name.vmid(), vmid, taken);
                return Result.failed(record, taken);
            }
        }
        long size = record.fileInfo() == null ? -1 : record.fileInfo().size();
        String what = "restore " + name.type().id() + " " + name.vmid() + (vmid != name.vmid() ? " as " + vmid : "")
                + " from " + d.baseName();
        long t0 = System.nanoTime();
        try {
            GuestRestore.Plan plan = steps.check(name, vmid);
            boolean stream = opts.transport() == RestoreTransport.STREAM;
            if (stream && !StreamRestore.canStream(name.type(), name.compression())) {
                LOG.info("{}: restore_transport=stream works for uncompressed, .zst and .gz VM dumps only; staging this one", what);
                stream = false;
            }
            if (stream && plan.exists()) {
                LOG.info("{}: {} exists and is overwritten: staging the whole dump first (a broken stream must not cost"
                        + " the existing guest its disks)", what, plan.label());
                stream = false;
            }
            boolean defer = d.referenceLayout() && opts.pool().isEmpty() && !stream;
            steps.checkOverwrite(plan, size, opts.pool());
            TransferLog.started(what, size, stream ? "streamed into qmrestore" : "staged in " + config.connection().dumpDir());
            if (stream) {
                long fed = StreamRestore.restore(steps, plan, name.compression(), content, opts.pool());
                TransferLog.ended(what, fed, System.nanoTime() - t0, null);
                return Result.ok(record);
            }
            GuestRestore.Staged staged = steps.stage(name, size, content);
            if (defer) {
                pending = new DeferredRestore(record, d, plan, staged, what, t0);
                LOG.info("{}: staged {}; restoring once its sidecars (pool) were read", what, Sizes.human(staged.bytes()));
                return Result.deferred(record);
            }
            steps.restoreStaged(plan, staged, opts.pool());
            TransferLog.ended(what, staged.bytes(), System.nanoTime() - t0, null);
            return Result.ok(record);
        } catch (RestoreFailure | RuntimeException e) {
            String msg = e instanceof RestoreFailure ? e.getMessage() : "unexpected error: " + e;
            TransferLog.ended(what, 0, System.nanoTime() - t0, msg);
            return Result.failed(record, msg);
        }
    }

    /** A vmid_map/newid_offset target must be free: a mapping never overwrites. Null when free. */
    private String mappedTargetTaken(DumpName name, int vmid) {
        try {
            Optional<io.plakar.pve.proxmox.Guest> g = target.findGuest(vmid);
            if (g.isEmpty()) {
                return null;
            }
            return "the target VMID " + vmid + " of " + name.type().id() + " " + name.vmid() + " already exists ("
                    + g.get().status() + " on node " + g.get().node() + "); a mapped restore never overwrites a guest, nothing was changed. Map VMID "
                    + name.vmid() + " to a free id";
        } catch (RestoreFailure e) {
            return e.getMessage();
        }
    }

    /** After a cancel: the running drill stops its guest and destroys it (bounded: its commands have timeouts). */
    private void awaitDrillCleanup() {
        if (drill == null) {
            return;
        }
        try {
            if (drillRunning.tryLock(config.shared().stopTimeout().toSeconds() + 15 * 60, java.util.concurrent.TimeUnit.SECONDS)) {
                drillRunning.unlock();
            } else {
                LOG.error("the cancelled drill did not finish its cleanup in time; see the drill summary for guests to delete by hand");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** drill=true: the dump is restored as a throwaway copy, checked, destroyed; its result is the drill's. */
    private Result drill(Record record, SnapshotEntry.Dump d, InputStream content) {
        if (sweepDue) {
            sweepDue = false;
            drill.sweep(drillReport);
        }
        long size = record.fileInfo() == null ? -1 : record.fileInfo().size();
        DrillResult r;
        drillRunning.lock();
        try {
            r = drill.run(d.name(), d.baseName(), size, content);
            drillReport.add(r);
        } finally {
            drillRunning.unlock();
        }
        if (r.pass()) {
            return Result.ok(record);
        }
        return Result.failed(record, "restore drill of " + r.guest() + " failed at " + r.phase() + ": " + r.message()
                + (r.leftover() != null ? "; LEFT BEHIND, delete by hand: " + r.leftover() : ""));
    }

    private Result sidecar(Record record, SnapshotEntry.Sidecar s, InputStream content) {
        if (pending == null || !pending.isOwnSidecar(s)) {
            return skipped(record, s.kind() == SnapshotEntry.Sidecar.Kind.POOL
                    ? "pool sidecar; not needed (pool= given, or its dump was restored or refused already)"
                    : "guest config sidecar; not restored, the dump carries its own config");
        }
        if (s.kind() == SnapshotEntry.Sidecar.Kind.POOL) {
            String problem = pending.readPool(content);
            if (problem != null) {
                String outcome = abandonPending(problem);
                return Result.failed(record, outcome);
            }
        } else if (s.kind() == SnapshotEntry.Sidecar.Kind.LXC_CONF) {
            // lxc: <dump>_lxc.conf sorts before <dump>_pool.conf: keep waiting for the pool
            return skipped(record, "guest config sidecar (the dump carries its own config)");
        }
        String dumpPath = SnapshotLayout.printable(pending.record.pathname());
        finishPending();
        return skipped(record, "sidecar of " + dumpPath + " (read for its pool)");
    }

    /** Restores the deferred dump; its result (the dump record's own) is settled for the runtime to send. */
    private void finishPending() {
        DeferredRestore p = pending;
        pending = null;
        if (aborted) {
            dropPending(p, "not restored: the host cancelled the restore; the staged dump was removed");
            return;
        }
        try {
            steps.restoreStaged(p.plan, p.staged, p.pool);
            TransferLog.ended(p.what, p.staged.bytes(), System.nanoTime() - p.t0, null);
            settled.add(Result.ok(p.record));
            summary.dumpResult(Result.ok(p.record));
        } catch (RestoreFailure | RuntimeException e) {
            String msg = e instanceof RestoreFailure ? e.getMessage() : "unexpected error: " + e;
            TransferLog.ended(p.what, 0, System.nanoTime() - p.t0, msg);
            settled.add(Result.failed(p.record, msg));
            summary.dumpResult(Result.failed(p.record, msg));
        }
    }

    @Override
    public List<Result> takeSettled() {
        List<Result> out = List.copyOf(settled);
        settled.clear();
        return out;
    }

    @Override
    public void finish() {
        if (pending != null) {
            finishPending();
        }
        inStream = false;
        logSummary();
    }

    private void logSummary() {
        if (drillReport != null) {
            drillReport.log();
        } else {
            summary.log();
        }
    }

    @Override
    public void beginExport() {
        aborted = false;
        inStream = true;
        steps.resume();
        if (drill != null) {
            drillSteps.resume();
            drill.resume();
            sweepDue = true; // every drill run starts by removing what an earlier one left
        }
    }

    /**
     * The host cancelled the export: the running tool gets TERM and time to clean up (the
     * guest's lock, what it allocated) before anything staged is removed, and no restore starts
     * afterwards.
     */
    @Override
    public void abort() {
        if (aborted) {
            return;
        }
        aborted = true;
        LOG.warn("the host cancelled the restore: stopping the running restore tool (TERM, then KILL after {}s)",
                config.shared().stopTimeout().toSeconds());
        steps.abort();
        if (drill != null) {
            // the drill's tool gets TERM too; its guest is still stopped and destroyed by the drill itself
            drill.abort();
            drillSteps.abort();
        }
    }

    private String abandonPending(String problem) {
        DeferredRestore p = pending;
        pending = null;
        String msg = "not restored: " + problem;
        dropPending(p, msg);
        return SnapshotLayout.printable(p.record.pathname()) + ": " + msg;
    }

    private void dropPending(DeferredRestore p, String msg) {
        if (config.connection().cleanup() || aborted) {
            steps.removeQuietly(p.staged.dir());
        }
        TransferLog.ended(p.what, 0, System.nanoTime() - p.t0, msg);
        settled.add(Result.failed(p.record, msg));
        summary.dumpResult(Result.failed(p.record, msg));
    }

    @Override
    public void close() {
        if (inStream) {
            // the host went away before its last record: that is a cancel, not a go-ahead
            abort();
            awaitDrillCleanup();
            if (pending != null) {
                finishPending();
            }
            logSummary();
        }
        target.close();
    }

    /** A reference-layout dump staged at its record, restored when its sidecars are done. */
    private static final class DeferredRestore {
        final Record record;
        final SnapshotEntry.Dump dump;
        final GuestRestore.Plan plan;
        final GuestRestore.Staged staged;
        final String what;
        final long t0;
        Optional<String> pool = Optional.empty();

        DeferredRestore(Record record, SnapshotEntry.Dump dump, GuestRestore.Plan plan, GuestRestore.Staged staged,
                    String what, long t0) {
            this.record = record;
            this.dump = dump;
            this.plan = plan;
            this.staged = staged;
            this.what = what;
            this.t0 = t0;
        }

        boolean isOwnSidecar(SnapshotEntry e) {
            return e instanceof SnapshotEntry.Sidecar s && s.directory().equals(dump.directory())
                    && s.dumpBaseName().equals(dump.baseName());
        }

        /** Reads and validates the pool id; returns null when fine, else the problem. */
        String readPool(InputStream content) {
            try {
                byte[] b = content == null ? new byte[0] : content.readNBytes(MAX_SIDECAR + 1);
                if (b.length > MAX_SIDECAR) {
                    return "its pool sidecar is larger than " + MAX_SIDECAR + " bytes";
                }
                String id = new String(b, StandardCharsets.UTF_8).strip();
                if (id.isEmpty()) {
                    return null;
                }
                if (!ProxmoxExporterConfig.POOL_ID.matcher(id).matches()) {
                    return "its pool sidecar does not hold a valid pool id; give the pool with -o pool=<id>";
                }
                pool = Optional.of(id);
                return null;
            } catch (IOException e) {
                return "its pool sidecar could not be read: " + e.getMessage();
            }
        }
    }
}
