package io.plakar.pve.importer.backup;

import io.plakar.pve.proxmox.Compression;
import io.plakar.pve.proxmox.DumpName;
import io.plakar.pve.proxmox.Guest;
import io.plakar.pve.proxmox.GuestType;
import io.plakar.pve.runner.CommandResult;
import io.plakar.pve.runner.Runner;
import io.plakar.pve.runner.RunningCommand;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Starts the dump of one guest on its node's runner and returns once the archive's first
 * bytes arrived (they name the object), or fails with a message for the user when no
 * archive comes at all.
 *
 * Transports: {@code stream} runs {@code vzdump --stdout 1} and hands its stdout on;
 * {@code dumpdir} (chosen, or the automatic fallback when vzdump refuses --stdout for a
 * guest) lets vzdump write a file into dump_dir, finds it, and streams it with
 * {@code cat}; the file is removed after the host acknowledged it (cleanup=true).
 */
public final class GuestDumper {
    public enum Transport { STREAM, DUMPDIR }

    private static final Logger LOG = LoggerFactory.getLogger(GuestDumper.class);
    private static final Logger RELAY = LoggerFactory.getLogger("vzdump");
    private static final Duration SHORT = Duration.ofSeconds(60);
    /** vzdump may wait for its node lock (lockwait defaults to 3 h) and a file dump takes as long as the disk. */
    private static final Duration DUMP_WAIT = Duration.ofHours(24);
    private static final Pattern CREATING = Pattern.compile("creating vzdump archive '([^']+)'");

    private final Runner runner;
    private final VzdumpOptions options;
    private final Transport transport;
    private final boolean cleanup;
    private final DumpNamer namer;
    private final Clock clock;

    public GuestDumper(Runner runner, VzdumpOptions options, Transport transport, boolean cleanup,
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
        if (transport == Transport.DUMPDIR) {
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
        return new StartedDump(guest, name, start, stream, List.of());
    }

    private StartedDump startDumpdir(Guest guest, Runnable onDone) throws DumpFailedException, InterruptedException {
        String label = guest.describe();
        Instant start = clock.instant();
        String dir = options.dumpDir();
        Set<String> before = list(label, dir);
        LOG.info("{}: dump started (vzdump into {}, mode {}, compress {}, via {})", label, dir, options.mode(),
                options.compress(), runner.describe());
        RunningCommand cmd;
        try {
            cmd = runner.start(options.dumpdirArgv(guest.vmid()), relay(guest));
        } catch (IOException e) {
            throw new DumpFailedException(label + ": cannot start vzdump via " + runner.describe() + ": " + e.getMessage(), e);
        }
        // without --stdout vzdump logs to stdout: relay it like stderr and keep its tail
        Deque<String> tail = new ArrayDeque<>();
        String announced = null;
        int status;
        try {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(cmd.stdout(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    RELAY.info("{} {}: {}", guest.type() == GuestType.QEMU ? "VM" : "CT", guest.vmid(), line);
                    if (tail.size() == 20) {
                        tail.removeFirst();
                    }
                    tail.addLast(line);
                    Matcher m = CREATING.matcher(line);
                    if (m.find()) {
                        announced = m.group(1);
                    }
                }
            }
            status = cmd.waitFor(DUMP_WAIT);
        } catch (IOException e) {
            List<String> lines = stop(cmd);
            removePartial(guest, dir, before);
            throw new DumpFailedException(label + ": vzdump into " + dir + " failed (" + e.getMessage() + ")" + suffix(lines), e);
        } finally {
            cmd.close();
        }
        List<String> lines = new ArrayList<>(tail);
        lines.addAll(cmd.lastStderrLines());
        if (status != 0) {
            // a killed vzdump (or one cut off by a dropped connection) cannot remove its .dat itself
            removePartial(guest, dir, before);
            throw new DumpFailedException(noArchive(label, "vzdump", status, lines));
        }
        Set<String> after = list(label, dir);
        List<String> fresh = new ArrayList<>(after);
        fresh.removeAll(before);
        String file = pickDump(guest, fresh, announced, dir);
        if (file == null) {
            throw new DumpFailedException(noArchive(label, "vzdump", status, lines) + " (no new dump of this guest in " + dir + ")");
        }
        DumpName produced = DumpName.parse(file).orElseThrow();
        List<String> leftovers = new ArrayList<>();
        leftovers.add(dir + "/" + file);
        String log = produced.fileName().substring(0, produced.fileName().indexOf('.')) + ".log";
        if (fresh.contains(log)) {
            leftovers.add(dir + "/" + log);
        }
        RunningCommand cat;
        try {
            cat = runner.start(List.of("cat", "--", dir + "/" + file), Runner.LineListener.IGNORE);
        } catch (IOException e) {
            removeLeftovers(label, leftovers);
            throw new DumpFailedException(label + ": cannot read " + dir + "/" + file + ": " + e.getMessage(), e);
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
            return new StartedDump(guest, name, start, stream, leftovers);
        } catch (IOException e) {
            List<String> catLines = stop(cat);
            removeLeftovers(label, leftovers);
            throw new DumpFailedException(label + ": " + dir + "/" + file + ": " + e.getMessage() + suffix(catLines));
        }
    }

    /** The dump vzdump just wrote for this guest: the announced file if it is new, else the only new one. */
    private static String pickDump(Guest guest, List<String> fresh, String announced, String dir) {
        List<String> mine = new ArrayList<>();
        for (String f : fresh) {
            Optional<DumpName> d = DumpName.parse(f);
            if (d.isPresent() && d.get().vmid() == guest.vmid() && d.get().type() == guest.type()) {
                mine.add(f);
            }
        }
        if (announced != null) {
            String base = announced.substring(announced.lastIndexOf('/') + 1);
            if (announced.equals(dir + "/" + base) && mine.contains(base)) {
                return base;
            }
        }
        return mine.size() == 1 ? mine.get(0) : null;
    }

    private Set<String> list(String label, String dir) throws DumpFailedException, InterruptedException {
        try {
            CommandResult r = runner.run(List.of("ls", "-1", "-A", "--", dir), SHORT);
            if (!r.ok()) {
                throw new DumpFailedException(label + ": cannot list dump_dir " + dir + ": " + r.lastErrorLine());
            }
            Set<String> names = new HashSet<>();
            for (String l : r.stdout().split("\n")) {
                if (!l.isEmpty()) {
                    names.add(l);
                }
            }
            return names;
        } catch (IOException e) {
            throw new DumpFailedException(label + ": cannot list dump_dir " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * After a failed dump into dump_dir: removes what this dump created there (vzdump's
     * {@code .dat}, {@code .log} and {@code .tmp} directory of this guest), nothing that existed
     * before and nothing that does not carry this guest's vzdump name.
     */
    private void removePartial(Guest guest, String dir, Set<String> before) throws InterruptedException {
        if (!cleanup) {
            return;
        }
        Pattern mine = Pattern.compile("vzdump-" + guest.type().id() + "-" + guest.vmid()
                + "-[0-9]{4}_[0-9]{2}_[0-9]{2}-[0-9]{2}_[0-9]{2}_[0-9]{2}\\.(dat|log|tmp|vma|tar)(\\.(gz|lzo|zst|dat))?");
        List<String> partial = new ArrayList<>();
        try {
            for (String f : list(guest.describe(), dir)) {
                if (!before.contains(f) && mine.matcher(f).matches()) {
                    partial.add(dir + "/" + f);
                }
            }
        } catch (DumpFailedException e) {
            LOG.warn("{}: cannot check {} for a partial dump: {}", guest.describe(), dir, e.getMessage());
            return;
        }
        if (partial.isEmpty()) {
            return;
        }
        List<String> argv = new ArrayList<>(List.of("rm", "-rf", "--"));
        argv.addAll(partial);
        try {
            CommandResult r = runner.run(argv, SHORT);
            if (r.ok()) {
                LOG.info("{}: removed the partial dump {} from the node", guest.describe(), String.join(", ", partial));
            } else {
                LOG.warn("{}: could not remove the partial dump {}: {}", guest.describe(), String.join(", ", partial),
                        r.lastErrorLine());
            }
        } catch (IOException e) {
            LOG.warn("{}: could not remove the partial dump {}: {}", guest.describe(), String.join(", ", partial), e.getMessage());
        }
    }

    /** Removes what a dump_dir transport left behind (when cleanup is on); failures are logged, not fatal. */
    public void removeLeftovers(String label, List<String> files) {
        if (!cleanup || files.isEmpty()) {
            return;
        }
        List<String> argv = new ArrayList<>(List.of("rm", "-f", "--"));
        argv.addAll(files);
        try {
            CommandResult r = runner.run(argv, SHORT);
            if (r.ok()) {
                LOG.info("{}: removed {} from the node", label, String.join(", ", files));
            } else {
                LOG.warn("{}: could not remove {}: {}", label, String.join(", ", files), r.lastErrorLine());
            }
        } catch (IOException e) {
            LOG.warn("{}: could not remove {}: {}", label, String.join(", ", files), e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
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
