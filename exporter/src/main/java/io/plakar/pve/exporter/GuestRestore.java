package io.plakar.pve.exporter;

import io.plakar.pve.exporter.ProxmoxExporterConfig.RestoreOptions;
import io.plakar.pve.proxmox.Compression;
import io.plakar.pve.proxmox.DumpName;
import io.plakar.pve.proxmox.GuestType;
import io.plakar.pve.runner.CommandResult;
import io.plakar.pve.runner.Runner;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The steps of one guest's restore from a staged file: guest check (refuse or stop),
 * staging into dump_dir, qmrestore / pct restore, start, cleanup. Streaming lives in
 * {@link StreamRestore}; both share the guest check.
 */
final class GuestRestore {
    static final Duration RESTORE_TIMEOUT = Duration.ofHours(72);
    private static final int BUFFER = 1 << 20;
    private static final int NAME_ATTEMPTS = 60;

    private final RestoreOptions options;
    private final NodeControl node;
    private final StagingArea staging;
    private final boolean cleanup;
    private final Supplier<String> nodeName;

    GuestRestore(RestoreOptions options, NodeControl node, StagingArea staging, boolean cleanup, Supplier<String> nodeName) {
        this.options = options;
        this.node = node;
        this.staging = staging;
        this.cleanup = cleanup;
        this.nodeName = nodeName;
    }

    /** What the guest check decided. */
    record Plan(GuestType type, int vmid, boolean exists, boolean wasRunning) {
        String label() {
            return (type == GuestType.QEMU ? "VM " : "CT ") + vmid;
        }
    }

    /** A dump written to dump_dir, with the first bytes kept for the container config hint. */
    record Staged(String fileName, String path, long bytes, byte[] prefix, int prefixLength, Compression compression) {
    }

    /** Refuses an existing guest unless force_vm_restore; touches nothing. */
    Plan check(DumpName dump, int vmid) throws RestoreFailure {
        NodeControl.State state;
        try {
            state = node.status(dump.type(), vmid);
        } catch (IOException e) {
            throw new RestoreFailure("cannot check guest " + vmid + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RestoreFailure("interrupted");
        }
        Plan plan = new Plan(dump.type(), vmid, state != NodeControl.State.ABSENT, state == NodeControl.State.RUNNING);
        if (plan.exists() && !options.force()) {
            String free = node.nextFreeId().map(String::valueOf).orElse("<a free VMID>");
            throw new RestoreFailure(plan.label() + " already exists (" + (plan.wasRunning() ? "running" : "stopped")
                    + ") on the target node; nothing was changed. Restore it under another id with -o newid="
                    + free + ", or overwrite it with -o force_vm_restore=true");
        }
        return plan;
    }

    /** Streams the content into a fresh canonical file of dump_dir, created exclusively. */
    Staged stage(DumpName dump, long expectedSize, InputStream content) throws RestoreFailure {
        try {
            if (expectedSize >= 0) {
                long free = staging.freeBytes();
                if (free >= 0 && free < expectedSize) {
                    throw new RestoreFailure("not enough free space in " + staging.directory() + " to stage "
                            + io.plakar.pve.proxmox.Sizes.human(expectedSize) + " (" + io.plakar.pve.proxmox.Sizes.human(free) + " free); free some space, "
                            + "choose another dump_dir" + (dump.type() == GuestType.QEMU ? ", or use restore_transport=stream" : ""));
                }
            }
        } catch (IOException e) {
            throw new RestoreFailure("cannot use dump_dir " + staging.directory() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RestoreFailure("interrupted");
        }
        String fileName = null;
        OutputStream out = null;
        try {
            DumpName name = DumpName.of(dump.type(), dump.vmid(), dump.time(), dump.compression());
            for (int i = 0; i < NAME_ATTEMPTS && out == null; i++) {
                // a fresh canonical name: the dump's own time, moved on by a second while taken
                fileName = DumpName.of(name.type(), name.vmid(), name.time().plusSeconds(i), name.compression()).fileName();
                try {
                    out = staging.create(fileName);
                } catch (StagingArea.AlreadyExists e) {
                    fileName = null;
                }
            }
            if (out == null) {
                throw new RestoreFailure("no free file name for " + name.fileName() + " in " + staging.directory());
            }
        } catch (IOException e) {
            throw new RestoreFailure("cannot create a file in " + staging.directory() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RestoreFailure("interrupted");
        }
        long t0 = System.nanoTime();
        byte[] prefix = dump.type() == GuestType.LXC ? new byte[ContainerConfigHint.PREFIX_BYTES] : new byte[0];
        int prefixLength = 0;
        long bytes = 0;
        String path = staging.pathOf(fileName);
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
            out = null;
            if (expectedSize >= 0 && bytes != expectedSize) {
                throw new IOException("short content: " + bytes + " of " + expectedSize + " bytes arrived");
            }
            long nanos = Math.max(System.nanoTime() - t0, 1);
            TransferLog.log().info("staged {} as {} in {} ({} MB/s)", io.plakar.pve.proxmox.Sizes.human(bytes), path,
                    String.format(java.util.Locale.ROOT, "%.1fs", nanos / 1e9),
                    String.format(java.util.Locale.ROOT, "%.1f", bytes / 1e6 / (nanos / 1e9)));
            return new Staged(fileName, path, bytes, prefix, prefixLength, dump.compression());
        } catch (IOException e) {
            if (out != null) {
                RemoteStagingArea.abort(out);
                closeQuietly(out);
            }
            removeQuietly(fileName);
            throw new RestoreFailure("staging " + path + " failed, partial file removed: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            if (out != null) {
                RemoteStagingArea.abort(out);
                closeQuietly(out);
            }
            removeQuietly(fileName);
            throw e;
        }
    }

    /** Restores a staged file, then starts the guest when asked or when it ran before; cleans up. */
    void restoreStaged(Plan plan, Staged staged, Optional<String> pool) throws RestoreFailure {
        try {
            Optional<String> storage = options.storage();
            if (plan.type() == GuestType.LXC && storage.isEmpty()) {
                storage = Optional.of(containerStorage(staged));
            }
            stopIfForced(plan);
            RestoreCommand cmd = new RestoreCommand(plan.type(), staged.path(), plan.vmid(), storage, pool,
                    options.unique(), options.bwlimitKiB());
            CommandResult r = run(cmd.argv());
            if (!r.ok()) {
                throw new RestoreFailure((plan.type() == GuestType.QEMU ? "qmrestore" : "pct restore") + " of "
                        + plan.label() + " failed (" + ToolErrors.of(r) + ")" + afterFailure(plan));
            }
            startAfter(plan);
        } finally {
            if (cleanup) {
                removeQuietly(staged.fileName());
            }
        }
    }

    String afterFailure(Plan plan) {
        if (plan.type() == GuestType.QEMU) {
            return "; qmrestore keeps the config of VM " + plan.vmid() + " after a failed restore: remove it with 'qm destroy "
                    + plan.vmid() + "' or retry with -o force_vm_restore=true";
        }
        return "";
    }

    void stopIfForced(Plan plan) throws RestoreFailure {
        if (plan.exists() && plan.wasRunning()) {
            try {
                TransferLog.log().info("{}: stopping the running guest before overwriting it (force_vm_restore)", plan.label());
                node.stop(plan.type(), plan.vmid());
            } catch (IOException e) {
                throw new RestoreFailure("cannot stop " + plan.label() + ": " + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RestoreFailure("interrupted");
            }
        }
    }

    void startAfter(Plan plan) throws RestoreFailure {
        if (!options.startOnRestore() && !plan.wasRunning()) {
            return;
        }
        try {
            node.start(plan.type(), plan.vmid());
        } catch (IOException e) {
            throw new RestoreFailure(plan.label() + " was restored but did not start: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RestoreFailure("interrupted");
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
        String n = nodeName.get();
        List<String> ok;
        try {
            ok = node.storagesWithContent(n, "rootdir");
        } catch (IOException e) {
            throw new RestoreFailure("cannot list the storages of node " + n + ": " + e.getMessage() + "; give one with -o storage=<id>", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RestoreFailure("interrupted");
        }
        if (!ok.contains(hint.get())) {
            throw new RestoreFailure("the container's root disk was on storage '" + hint.get() + "', which node " + n
                    + " does not have for containers" + (ok.isEmpty() ? "" : " (it has: " + String.join(", ", ok) + ")")
                    + "; give one with -o storage=<id>");
        }
        return hint.get();
    }

    private CommandResult run(List<String> argv) throws RestoreFailure {
        try {
            return node.runner().run(argv, RESTORE_TIMEOUT);
        } catch (IOException e) {
            throw new RestoreFailure(argv.get(0) + " could not run: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RestoreFailure("interrupted");
        }
    }

    void removeQuietly(String fileName) {
        if (fileName == null) {
            return;
        }
        try {
            staging.remove(fileName);
        } catch (IOException | RuntimeException e) {
            TransferLog.log().warn("could not remove {}: {}", staging.pathOf(fileName), e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(OutputStream out) {
        try {
            out.close();
        } catch (IOException | RuntimeException ignored) {
            // already failing
        }
    }

    Runner runner() {
        return node.runner();
    }

    RestoreOptions options() {
        return options;
    }
}
