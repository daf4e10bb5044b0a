package io.plakar.pve.exporter;

import io.plakar.pve.exporter.ProxmoxExporterConfig.RestoreOptions;
import io.plakar.pve.proxmox.Compression;
import io.plakar.pve.proxmox.DumpDir;
import io.plakar.pve.proxmox.DumpName;
import io.plakar.pve.proxmox.Guest;
import io.plakar.pve.proxmox.GuestType;
import io.plakar.pve.proxmox.Sizes;
import io.plakar.pve.runner.CommandResult;
import io.plakar.pve.runner.RunningCommand;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The steps of one guest's restore, in the order that never destroys what nobody asked to
 * touch: find out whether the VMID exists anywhere in the cluster (advice only: Proxmox's own
 * atomic check is the guarantee, and {@code --force} is passed only to overwrite what the user
 * asked to overwrite); for an overwrite, check pool, storage and space before the running guest
 * is shut down; stage the dump in a private directory of dump_dir (or stream it into a VMID
 * that does not exist); run the tool; start the guest again when it ran before, also when the
 * tool failed before touching it; remove what was staged.
 */
final class GuestRestore {
    static final Duration RESTORE_TIMEOUT = Duration.ofHours(72);
    private static final int BUFFER = 1 << 20;
    private static final int NAME_ATTEMPTS = 60;

    private final RestoreOptions options;
    private final RestoreTarget target;
    private final NodeControl node;
    private final AbortableCommands tools;
    private final boolean cleanup;
    private final boolean linkDown;

    GuestRestore(RestoreOptions options, RestoreTarget target, boolean cleanup) {
        this(options, target, cleanup, false);
    }

    /** {@code linkDown}: every NIC of a restored guest is disconnected before anything may start it (link_down=true). */
    GuestRestore(RestoreOptions options, RestoreTarget target, boolean cleanup, boolean linkDown) {
        this.linkDown = linkDown;
        this.options = options;
        this.target = target;
        this.node = new NodeControl(target.runner());
        this.tools = new AbortableCommands(target.runner());
        this.cleanup = cleanup;
    }

    /** What the check found: whether the restore overwrites an existing guest, and its state then. */
    record Plan(GuestType type, int vmid, boolean exists, boolean wasRunning) {
        String label() {
            return (type == GuestType.QEMU ? "VM " : "CT ") + vmid;
        }
    }

    /** A dump written into this restore's private directory, with the first bytes kept for the container hint. */
    record Staged(DumpDir dir, String path, long bytes, byte[] prefix, int prefixLength, Compression compression) {
    }

    /**
     * Refuses an existing guest unless force_vm_restore; an overwrite must be of the same type
     * on the target node (Proxmox refuses anything else). Touches nothing.
     */
    Plan check(DumpName dump, int vmid) throws RestoreFailure {
        Optional<Guest> existing = target.findGuest(vmid);
        if (existing.isEmpty()) {
            return new Plan(dump.type(), vmid, false, false);
        }
        Guest g = existing.get();
        String what = (g.type() == GuestType.QEMU ? "VM " : "CT ") + vmid;
        if (!options.force()) {
            throw new RestoreFailure(what + " already exists (" + g.status() + ") on node " + g.node()
                    + "; nothing was changed. Restore it under another id with -o newid=" + freeId()
                    + ", or overwrite it with -o force_vm_restore=true");
        }
        if (g.type() != dump.type()) {
            throw new RestoreFailure("VMID " + vmid + " is a " + (g.type() == GuestType.QEMU ? "VM" : "container")
                    + " and this dump is a " + (dump.type() == GuestType.QEMU ? "VM" : "container")
                    + ": force_vm_restore only overwrites a guest of the same type; nothing was changed. Restore it"
                    + " under another id with -o newid=" + freeId());
        }
        String here = target.nodeName();
        if (!g.node().equals(here)) {
            throw new RestoreFailure(what + " exists on node " + g.node() + ", not on " + here + " where this restore"
                    + " runs; nothing was changed. Overwrite it there with -o node=" + g.node()
                    + ", or restore under another id with -o newid=" + freeId());
        }
        NodeControl.State state;
        try {
            state = node.status(dump.type(), vmid);
        } catch (IOException e) {
            throw new RestoreFailure("cannot check " + what + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            throw interrupted();
        }
        return new Plan(dump.type(), vmid, state != NodeControl.State.ABSENT, state == NodeControl.State.RUNNING);
    }

    private String freeId() {
        return node.nextFreeId().map(String::valueOf).orElse("<a free VMID>");
    }

    /**
     * Before an overwrite stops anything: the pool exists, the target storage exists on this
     * node, is enabled, holds this kind of guest and has room. qmrestore checks these only
     * inside its task, after it has taken the guest over.
     */
    void checkOverwrite(Plan plan, long size, Optional<String> pool) throws RestoreFailure {
        if (!plan.exists()) {
            return;
        }
        String unchanged = "; nothing was changed (" + plan.label() + " is as it was)";
        try {
            if (pool.isPresent() && !node.poolExists(pool.get())) {
                throw new RestoreFailure("pool '" + pool.get() + "' does not exist" + unchanged);
            }
            if (options.storage().isPresent()) {
                String id = options.storage().get();
                String content = plan.type() == GuestType.QEMU ? "images" : "rootdir";
                String n = target.nodeName();
                Optional<NodeControl.Storage> s = node.storages(n).stream().filter(x -> id.equals(x.id())).findFirst();
                if (s.isEmpty()) {
                    throw new RestoreFailure("storage '" + id + "' does not exist on node " + n + unchanged);
                }
                if (!s.get().holds(content)) {
                    throw new RestoreFailure("storage '" + id + "' on node " + n + " is disabled or does not hold '"
                            + content + "'" + unchanged);
                }
                if (size > 0 && s.get().availBytes() >= 0 && s.get().availBytes() < size) {
                    throw new RestoreFailure("storage '" + id + "' has " + Sizes.human(s.get().availBytes())
                            + " free, the dump is " + Sizes.human(size) + unchanged);
                }
            }
        } catch (IOException e) {
            throw new RestoreFailure("cannot check the restore target before overwriting " + plan.label() + ": "
                    + e.getMessage() + unchanged, e);
        } catch (InterruptedException e) {
            throw interrupted();
        }
    }

    /** Streams the content into a fresh canonical file of a private directory inside dump_dir. */
    Staged stage(DumpName dump, long expectedSize, InputStream content) throws RestoreFailure {
        DumpDir shared = target.dumpDir();
        DumpDir mine;
        try {
            if (expectedSize >= 0) {
                long free = shared.freeBytes();
                if (free >= 0 && free < expectedSize) {
                    throw new RestoreFailure("not enough free space in " + shared.path() + " to stage "
                            + Sizes.human(expectedSize) + " (" + Sizes.human(free) + " free); free some space, "
                            + "choose another dump_dir" + (dump.type() == GuestType.QEMU ? ", or use restore_transport=stream" : ""));
                }
            }
            mine = shared.createPrivate();
        } catch (IOException e) {
            throw new RestoreFailure("cannot use dump_dir " + shared.path() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            throw interrupted();
        }
        DumpDir.Output out = null;
        String path = null;
        try {
            DumpName name = DumpName.of(dump.type(), dump.vmid(), dump.time(), dump.compression());
            for (int i = 0; i < NAME_ATTEMPTS && out == null; i++, name = name.nextSecond()) {
                try {
                    out = mine.createExclusive(name.fileName());
                    path = mine.pathOf(name.fileName());
                } catch (DumpDir.AlreadyExists e) {
                    // taken: the next second
                }
            }
            if (out == null) {
                throw new IOException("no free file name for " + dump.fileName());
            }
        } catch (IOException e) {
            removeQuietly(mine);
            throw new RestoreFailure("cannot create a file in " + mine.path() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            removeQuietly(mine);
            throw interrupted();
        }
        long t0 = System.nanoTime();
        byte[] prefix = dump.type() == GuestType.LXC ? new byte[ContainerConfigHint.PREFIX_BYTES] : new byte[0];
        int prefixLength = 0;
        long bytes = 0;
        try {
            byte[] buf = new byte[BUFFER];
            while (true) {
                int n;
                try {
                    n = content.read(buf);
                } catch (IOException e) {
                    throw new IOException("the snapshot content broke off after " + bytes + " bytes: " + e.getMessage(), e);
                }
                if (n < 0) {
                    break;
                }
                if (prefixLength < prefix.length) {
                    int k = Math.min(n, prefix.length - prefixLength);
                    System.arraycopy(buf, 0, prefix, prefixLength, k);
                    prefixLength += k;
                }
                out.write(buf, 0, n);
                bytes += n;
            }
            out.close();
            if (expectedSize >= 0 && bytes != expectedSize) {
                throw new IOException("short content: " + bytes + " of " + expectedSize + " bytes arrived");
            }
            long nanos = Math.max(System.nanoTime() - t0, 1);
            TransferLog.log().info("staged {} as {} in {} ({} MB/s)", Sizes.human(bytes), path,
                    String.format(Locale.ROOT, "%.1fs", nanos / 1e9),
                    String.format(Locale.ROOT, "%.1f", bytes / 1e6 / (nanos / 1e9)));
            return new Staged(mine, path, bytes, prefix, prefixLength, dump.compression());
        } catch (IOException | RuntimeException e) {
            out.abort();
            removeQuietly(mine);
            if (e instanceof RuntimeException re) {
                throw re;
            }
            throw new RestoreFailure("staging " + path + " failed, partial file removed: " + e.getMessage(), e);
        }
    }

    /** Restores a staged file, then starts the guest when asked or when it ran before; cleans up. */
    void restoreStaged(Plan plan, Staged staged, Optional<String> pool) throws RestoreFailure {
        try {
            runStaged(plan, staged, pool);
            startAfter(plan);
        } finally {
            if (cleanup) {
                removeQuietly(staged.dir());
            }
        }
    }

    /**
     * Runs the restore tool on a staged file and nothing else: the caller owns the staged file
     * (a drill keeps it to retry under the next VMID when the one it picked was taken meanwhile).
     */
    void runStaged(Plan plan, Staged staged, Optional<String> pool) throws RestoreFailure {
        {
            RestoreCommand cmd = command(plan, staged.path(), pool);
            if (plan.type() == GuestType.LXC && options.storage().isEmpty()) {
                cmd = cmd.withStorage(containerStorage(staged));
            }
            checkOverwrite(plan, staged.bytes(), pool);
            shutDownForOverwrite(plan);
            CommandResult r;
            try {
                r = tools.run(cmd.argv(), RESTORE_TIMEOUT);
            } catch (IOException e) {
                throw new RestoreFailure(cmd.argv().get(0) + " could not run: " + e.getMessage() + afterFailure(plan, ""), e);
            } catch (AbortableCommands.Cancelled e) {
                throw cancelled(plan, "");
            } catch (InterruptedException e) {
                throw interrupted();
            }
            if (!r.ok()) {
                throw failed(plan, toolName(plan), ToolErrors.of(r), r.stdout() + "\n" + r.stderr());
            }
        }
    }

    /** The restore command of this plan: {@code --force 1} only for an overwrite the user asked for. */
    RestoreCommand command(Plan plan, String archive, Optional<String> pool) {
        return new RestoreCommand(plan.type(), archive, plan.vmid(), plan.exists() && options.force(), pool, options);
    }

    /** A running guest about to be overwritten: its OS is asked to shut down first, the power cut only after. */
    void shutDownForOverwrite(Plan plan) throws RestoreFailure {
        if (!plan.exists() || !plan.wasRunning()) {
            return;
        }
        if (tools.aborted()) {
            throw cancelled(plan, "");
        }
        try {
            TransferLog.log().info("{}: shutting the running guest down before overwriting it (force_vm_restore)", plan.label());
            String how = node.shutDown(plan.type(), plan.vmid(), options.shutdownTimeout());
            TransferLog.log().info("{}: {}", plan.label(), how);
        } catch (IOException e) {
            throw new RestoreFailure("cannot stop " + plan.label() + " before overwriting it: " + e.getMessage()
                    + "; the restore did not start", e);
        } catch (InterruptedException e) {
            throw interrupted();
        }
    }

    /**
     * The failure of a restore tool, with what it left: a VMID taken meanwhile (Proxmox refused,
     * nothing changed), a guest whose old state is intact (started again if it ran), or state
     * the tool says it did not clean up (only then is {@code qm destroy} the advice).
     */
    RestoreFailure failed(Plan plan, String tool, String errors, String output) {
        String msg = tool + " of " + plan.label() + " failed (" + errors + ")";
        if (!plan.exists() && output.contains("already exists")) {
            return new VmidTaken(msg + "; VMID " + plan.vmid() + " is taken (another guest got it since the check,"
                    + " and Proxmox refused to overwrite it): nothing was changed. Restore it under another id with -o newid="
                    + freeId() + ", or overwrite it with -o force_vm_restore=true");
        }
        return new RestoreFailure(msg + afterFailure(plan, output));
    }

    private String afterFailure(Plan plan, String output) {
        boolean dirty = output.contains("NOT cleaned up");
        if (dirty) {
            return "; " + plan.label() + " was left half restored (\"state is NOT cleaned up\"): restore it again with"
                    + " -o force_vm_restore=true, or remove it with '" + NodeControl.tool(plan.type()) + " destroy "
                    + plan.vmid() + "'";
        }
        if (plan.exists() && plan.wasRunning()) {
            try {
                node.start(plan.type(), plan.vmid());
                return "; the restore failed before touching " + plan.label() + ": it was left as it was and started again";
            } catch (IOException e) {
                return "; the restore failed before touching " + plan.label() + ", but it did not start again: "
                        + e.getMessage();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "; " + plan.label() + " was not started again (interrupted)";
            }
        }
        if (plan.exists()) {
            return "; " + plan.label() + " was left as it was (stopped)";
        }
        return "";
    }

    /** Proxmox's own atomic check refused the VMID: another guest holds it; nothing was changed. */
    static final class VmidTaken extends RestoreFailure {
        VmidTaken(String message) {
            super(message);
        }
    }

    /** What a cancel left: the tool was stopped with TERM (it cleans up on that) before anything was removed. */
    RestoreFailure cancelled(Plan plan, String output) {
        return new RestoreFailure("cancelled by the host: " + plan.label() + " was not restored"
                + afterFailure(plan, output));
    }

    void startAfter(Plan plan) throws RestoreFailure {
        if (linkDown) {
            try {
                int nics = new GuestCommands(target.runner()).isolate(plan.type(), plan.vmid());
                TransferLog.log().info("{}: {} NIC(s) disconnected (link_down=true)", plan.label(), nics);
            } catch (IOException e) {
                // not started: a guest that should be off the network must not come up on it
                throw new RestoreFailure(plan.label() + " was restored, but its NICs could not be disconnected ("
                        + e.getMessage() + "); it was not started", e);
            } catch (InterruptedException e) {
                throw interrupted();
            }
        }
        if (!options.startOnRestore() && !plan.wasRunning()) {
            return;
        }
        try {
            node.start(plan.type(), plan.vmid());
        } catch (IOException e) {
            throw new RestoreFailure(plan.label() + " was restored but did not start: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            throw interrupted();
        }
    }

    /**
     * pct defaults to storage 'local', which usually cannot hold containers: use the dump's own
     * rootfs storage when this node has it for container directories, else say what to do.
     */
    private String containerStorage(Staged staged) throws RestoreFailure {
        Optional<String> hint = ContainerConfigHint.rootfsStorage(staged.prefix(), staged.prefixLength(), staged.compression());
        if (hint.isEmpty()) {
            throw new RestoreFailure("cannot tell which storage the container's root disk should go to"
                    + (staged.compression() == Compression.LZO || staged.compression() == Compression.BZIP2
                    ? " (the dump's configuration is not readable from a " + staged.compression().suffix() + " archive here)"
                    : " (no rootfs line in the dump's configuration)")
                    + "; give one with -o storage=<id>");
        }
        String n = target.nodeName();
        List<String> ok;
        try {
            ok = node.storagesWithContent(n, "rootdir");
        } catch (IOException e) {
            throw new RestoreFailure("cannot list the storages of node " + n + ": " + e.getMessage() + "; give one with -o storage=<id>", e);
        } catch (InterruptedException e) {
            throw interrupted();
        }
        if (!ok.contains(hint.get())) {
            throw new RestoreFailure("the container's root disk was on storage '" + hint.get() + "', which node " + n
                    + " does not have for containers" + (ok.isEmpty() ? "" : " (it has: " + String.join(", ", ok) + ")")
                    + "; give one with -o storage=<id>");
        }
        return hint.get();
    }

    /** Starts the streaming restore's tool (abortable); the caller feeds its stdin. */
    RunningCommand startStreaming(RestoreCommand cmd) throws IOException, AbortableCommands.Cancelled {
        return tools.start(cmd.argv());
    }

    void streamingDone(RunningCommand cmd) {
        tools.done(cmd);
    }

    boolean aborted() {
        return tools.aborted();
    }

    /** The host cancelled: stop the running tool (TERM, wait, KILL) and start nothing more. */
    void abort() {
        tools.abort();
    }

    /** A new Export stream: tools may run again. */
    void resume() {
        tools.resume();
    }

    void removeQuietly(DumpDir mine) {
        mine.removePrivateQuietly("restore");
    }

    static String toolName(Plan plan) {
        return plan.type() == GuestType.QEMU ? "qmrestore" : "pct restore";
    }

    private static RestoreFailure interrupted() {
        Thread.currentThread().interrupt();
        return new RestoreFailure("interrupted");
    }

    RestoreOptions options() {
        return options;
    }
}
