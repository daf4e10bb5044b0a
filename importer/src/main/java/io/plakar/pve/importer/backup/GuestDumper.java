package io.plakar.pve.importer.backup;

import io.plakar.pve.proxmox.Compression;
import io.plakar.pve.proxmox.DumpDir;
import io.plakar.pve.proxmox.DumpName;
import io.plakar.pve.proxmox.Guest;
import io.plakar.pve.proxmox.GuestType;
import io.plakar.pve.runner.BoundedLineReader;
import io.plakar.pve.runner.Runner;
import io.plakar.pve.runner.RunningCommand;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;

/**
 * Starts the dump of one guest on its node's runner and returns once the archive's first
 * bytes arrived (they name the object), or fails with a message for the user when no
 * archive comes at all.
 *
 * Transports: {@code stream} runs {@code vzdump --stdout 1} and hands its stdout on;
 * {@code dumpdir} (chosen, or the automatic fallback when vzdump refuses --stdout for a
 * guest) lets vzdump write a file into a private directory of this run inside dump_dir,
 * streams it with {@code cat}, and removes that directory after the host acknowledged the
 * record (cleanup=true).
 */
public final class GuestDumper {
    

    private static final Logger LOG = LoggerFactory.getLogger(GuestDumper.class);
    private static final Logger RELAY = LoggerFactory.getLogger("vzdump");
    /** vzdump may wait for its node lock (lockwait defaults to 3 h) and a file dump takes as long as the disk. */
    private static final Duration DUMP_WAIT = Duration.ofHours(24);

    private final Runner runner;
    private final VzdumpOptions options;
    private final DumpTransport transport;
    private final boolean cleanup;
    private final DumpNamer namer;
    private final Clock clock;

    public GuestDumper(Runner runner, VzdumpOptions options, DumpTransport transport, boolean cleanup,
                       DumpNamer namer, Clock clock) {
        this.runner = runner;
        this.options = options;
        this.transport = transport;
        this.cleanup = cleanup;
        this.namer = namer;
        this.clock = clock;
    }

    /**
     * Starts the dump and waits for its first bytes.
     *
     * @param onDone run once when the returned stream is over (the node's slot is free again)
     */
    public StartedDump start(Guest guest, Runnable onDone) throws DumpFailedException, InterruptedException {
        if (transport == DumpTransport.DUMPDIR) {
            return startDumpdir(guest, onDone);
        }
        String label = guest.describe();
        Instant start = clock.instant();
        List<String> argv = options.streamArgv(guest.vmid());
        LOG.info("{}: dump started (vzdump --stdout, mode {}, compress {}, via {})", label, options.mode(),
                options.compress(), runner.describe());
        RunningCommand cmd;
        try {
            cmd = runner.start(argv, relay(guest));
        } catch (IOException e) {
            throw new DumpFailedException(label + ": cannot start vzdump via " + runner.describe() + ": " + e.getMessage(), e);
        }
        byte[] head = new byte[ArchiveSniffer.HEAD_BYTES];
        int n;
        try {
            n = ArchiveSniffer.readHead(cmd.stdout(), head);
        } catch (IOException e) {
            List<String> lines = stop(cmd);
            throw new DumpFailedException(label + ": reading vzdump's output failed (" + e.getMessage() + ")" + suffix(lines), e);
        }
        if (n == 0) {
            int status = exitStatus(cmd);
            List<String> lines = cmd.lastStderrLines();
            cmd.close();
            if (VzdumpErrors.refusedStdout(lines)) {
                LOG.warn("{}: vzdump refused --stdout ({}); falling back to a dump in {} (needs free space there)",
                        label, VzdumpErrors.lastErrorLine(lines), options.dumpDir());
                return startDumpdir(guest, onDone);
            }
            throw new DumpFailedException(noArchive(label, "vzdump", status, lines));
        }
        Compression c;
        try {
            c = ArchiveSniffer.sniff(guest.type(), head, n);
        } catch (IOException e) {
            List<String> lines = stop(cmd);
            throw new DumpFailedException(label + ": " + e.getMessage() + suffix(lines));
        }
        warnIfUnexpected(label, c);
        DumpName name = namer.name(guest.type(), guest.vmid(), start, c);
        DumpStream stream = new DumpStream(label, "vzdump", cmd, head, n, onDone);
        return new StartedDump(guest, name, start, stream, Optional.empty());
    }

    /**
     * vzdump writes into a private directory of this run inside dump_dir (never into dump_dir
     * itself, which scheduled jobs share), the archive is streamed with {@code cat}, and the
     * private directory is removed once the host is done with the record.
     */
    private StartedDump startDumpdir(Guest guest, Runnable onDone) throws DumpFailedException, InterruptedException {
        String label = guest.describe();
        Instant start = clock.instant();
        DumpDir shared = DumpDir.on(runner, options.dumpDir());
        DumpDir mine;
        try {
            mine = shared.createPrivate();
        } catch (IOException e) {
            throw new DumpFailedException(label + ": cannot use dump_dir " + shared.path() + ": " + e.getMessage(), e);
        }
        LOG.info("{}: dump started (vzdump into {}, mode {}, compress {}, via {})", label, mine.path(), options.mode(),
                options.compress(), runner.describe());
        RunningCommand cmd;
        try {
            cmd = runner.start(options.dumpdirArgv(guest.vmid(), mine.path()), relay(guest));
        } catch (IOException e) {
            removeQuietly(label, mine);
            throw new DumpFailedException(label + ": cannot start vzdump via " + runner.describe() + ": " + e.getMessage(), e);
        }
        // without --stdout vzdump logs to stdout: relay it like stderr and keep its tail
        Deque<String> tail = new ArrayDeque<>();
        int status;
        try {
            try (InputStream out = cmd.stdout()) {
                BoundedLineReader r = new BoundedLineReader(out);
                String line;
                while ((line = r.readLine()) != null) {
                    RELAY.info("{} {}: {}", guest.type() == GuestType.QEMU ? "VM" : "CT", guest.vmid(), line);
                    if (tail.size() == 20) {
                        tail.removeFirst();
                    }
                    tail.addLast(line);
                }
            }
            status = cmd.waitFor(DUMP_WAIT);
        } catch (IOException e) {
            List<String> lines = stop(cmd);
            removeQuietly(label, mine);
            throw new DumpFailedException(label + ": vzdump into " + mine.path() + " failed (" + e.getMessage() + ")"
                    + suffix(lines), e);
        } finally {
            cmd.close();
        }
        List<String> lines = new ArrayList<>(tail);
        lines.addAll(cmd.lastStderrLines());
        if (status != 0) {
            // a killed vzdump (or one cut off by a dropped connection) cannot remove its .dat itself
            removeQuietly(label, mine);
            throw new DumpFailedException(noArchive(label, "vzdump", status, lines));
        }
        String file;
        try {
            file = archiveIn(guest, mine);
        } catch (IOException e) {
            removeQuietly(label, mine);
            throw new DumpFailedException(label + ": cannot list " + mine.path() + ": " + e.getMessage(), e);
        }
        if (file == null) {
            removeQuietly(label, mine);
            throw new DumpFailedException(noArchive(label, "vzdump", status, lines) + " (no dump of this guest in "
                    + mine.path() + ")");
        }
        DumpName produced = DumpName.parse(file).orElseThrow();
        RunningCommand cat;
        try {
            cat = mine.open(file);
        } catch (IOException e) {
            removeQuietly(label, mine);
            throw new DumpFailedException(label + ": cannot read " + mine.pathOf(file) + ": " + e.getMessage(), e);
        }
        byte[] head = new byte[ArchiveSniffer.HEAD_BYTES];
        try {
            int n = ArchiveSniffer.readHead(cat.stdout(), head);
            Compression c = ArchiveSniffer.sniff(guest.type(), head, n);
            if (c != produced.compression()) {
                throw new IOException("the file is named " + file + " but its first bytes say "
                        + (c == Compression.NONE ? "uncompressed" : c.suffix()));
            }
            DumpName name = namer.name(guest.type(), guest.vmid(), start, c);
            DumpStream stream = new DumpStream(label, "cat " + file, cat, head, n, onDone);
            return new StartedDump(guest, name, start, stream, Optional.of(mine));
        } catch (IOException e) {
            List<String> catLines = stop(cat);
            removeQuietly(label, mine);
            throw new DumpFailedException(label + ": " + mine.pathOf(file) + ": " + e.getMessage() + suffix(catLines));
        }
    }

    /** The archive of this guest in the run's private directory (nothing else writes there). */
    private static String archiveIn(Guest guest, DumpDir mine) throws IOException, InterruptedException {
        for (String f : mine.list()) {
            Optional<DumpName> d = DumpName.parse(f);
            if (d.isPresent() && d.get().vmid() == guest.vmid() && d.get().type() == guest.type()) {
                return f;
            }
        }
        return null;
    }

    /**
     * Removes a run's private directory (the archive, vzdump's log and any partial file in it)
     * when cleanup is on; failures are logged, not fatal. Nothing outside it is touched.
     */
    public void removeQuietly(String label, DumpDir mine) {
        if (!cleanup) {
            LOG.info("{}: cleanup=false: {} is left on the node", label, mine.path());
            return;
        }
        if (mine.removePrivateQuietly(label)) {
            LOG.info("{}: removed {} from the node", label, mine.path());
        }
    }

    private void warnIfUnexpected(String label, Compression c) {
        if (c != options.expectedCompression()) {
            LOG.warn("{}: asked for compress={} but the archive is {}; naming it by what it is", label,
                    options.compress(), c == Compression.NONE ? "uncompressed" : c.suffix());
        }
    }

    private static Runner.LineListener relay(Guest guest) {
        String tag = (guest.type() == GuestType.QEMU ? "VM " : "CT ") + guest.vmid();
        return line -> RELAY.info("{}: {}", tag, line);
    }

    private static int exitStatus(RunningCommand cmd) throws InterruptedException {
        try {
            return cmd.waitFor(DUMP_WAIT);
        } catch (IOException e) {
            return -1;
        }
    }

    /** Kills a command that produced something unusable and returns its last stderr lines. */
    private static List<String> stop(RunningCommand cmd) throws InterruptedException {
        cmd.kill();
        try {
            cmd.waitFor(Duration.ofSeconds(15));
        } catch (IOException ignored) {
            // killed
        }
        List<String> lines = cmd.lastStderrLines();
        cmd.close();
        return lines;
    }

    private static String suffix(List<String> lines) {
        String last = VzdumpErrors.lastErrorLine(lines);
        return last == null ? "" : " (" + last + ")";
    }

    static String noArchive(String label, String tool, int status, List<String> lines) {
        String last = VzdumpErrors.lastErrorLine(lines);
        if (status == 0) {
            return label + ": " + tool + " exited 0 without producing an archive (vzdump skips guests of other nodes"
                    + " silently; is the guest still on this node?)" + (last == null ? "" : ": " + last);
        }
        if (status == -1) {
            return label + ": " + tool + " was killed or the connection dropped before any archive byte"
                    + (last == null ? "" : ": " + last);
        }
        return label + ": " + tool + " failed with exit status " + status + (last == null ? "" : ": " + last);
    }
}
