package io.plakar.pve.exporter;

import io.plakar.pve.proxmox.DumpName;
import io.plakar.pve.proxmox.Guest;
import io.plakar.pve.proxmox.GuestType;
import io.plakar.pve.runner.Runner;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * One restore drill per dump: restore a copy under a free VMID of drill_vmid_range (never with
 * {@code --force}: when Proxmox's atomic check says the id was taken meanwhile, the next one),
 * with {@code --unique 1} into drill_pool, tag it, disconnect every NIC before anything could
 * start it, optionally boot it and wait for its agent (or running + settle), then stop and
 * destroy it with its disks, whatever happened before, also after a cancel.
 */
final class DrillRun {
    /** How much of a streamed dump is kept to retry under the next VMID after an "already exists" (refused pre-fork, nothing read). */
    private static final int RETRY_MARK = 16 << 20;

    private final DrillOptions drill;
    private final RestoreTarget target;
    private final GuestRestore steps;
    private final NodeControl node;
    private final GuestCommands guests;
    private final Pacer pacer = new Pacer();

    DrillRun(DrillOptions drill, RestoreTarget target, GuestRestore steps) {
        this.drill = drill;
        this.target = target;
        this.steps = steps;
        Runner runner = target.runner();
        this.node = new NodeControl(runner);
        this.guests = new GuestCommands(runner);
    }

    /** The host cancelled: restore tools are stopped by {@link GuestRestore#abort}; waits end now, cleanup still runs. */
    void abort() {
        pacer.abort();
    }

    void resume() {
        pacer.resume();
    }

    /**
     * Destroys leftovers of earlier drills: guests that are BOTH inside drill_vmid_range AND tagged
     * plakar-drill. Nothing outside the range is looked at, whatever its tags.
     */
    void sweep(DrillReport report) {
        java.util.List<Guest> all;
        try {
            all = target.clusterGuests();
        } catch (RestoreFailure e) {
            TransferLog.log().warn("drill: leftovers of earlier drills not swept: {}", e.getMessage());
            return;
        }
        String here;
        try {
            here = target.nodeName();
        } catch (RestoreFailure e) {
            TransferLog.log().warn("drill: leftovers not swept: {}", e.getMessage());
            return;
        }
        for (Guest g : all) {
            if (!drill.range().contains(g.vmid())) {
                continue;
            }
            String label = label(g.type(), g.vmid());
            if (!g.node().isEmpty() && !g.node().equals(here)) {
                // drills create guests on the restore node only; qm/pct cannot read a config of another node
                TransferLog.log().info("drill: {} in drill_vmid_range is on node {}: not checked, not touched", label, g.node());
                continue;
            }
            try {
                Map<String, String> config = guests.config(g.type(), g.vmid());
                if (!GuestCommands.hasTag(config, DrillOptions.TAG)) {
                    TransferLog.log().info("drill: {} is in drill_vmid_range but not tagged {}: not touched", label, DrillOptions.TAG);
                    continue;
                }
                TransferLog.log().info("drill: {} is a leftover of an earlier drill (tagged {}): stopping and destroying it",
                        label, DrillOptions.TAG);
                stopQuietly(g.type(), g.vmid());
                guests.destroy(g.type(), g.vmid());
            } catch (IOException e) {
                String hand = handDelete(g.type(), g.vmid());
                TransferLog.log().error("drill: could not remove the leftover {}: {}", label, e.getMessage());
                report.sweepLeftover(label + " (" + e.getMessage() + "): " + hand);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Drills one dump; never throws: every outcome is a result, and the drill guest is gone afterwards (or named). */
    DrillResult run(DumpName name, String dumpBase, long size, InputStream content) {
        String guest = name.type().id() + "/" + name.vmid();
        Map<String, Double> timings = new LinkedHashMap<>();
        GuestRestore.Staged staged = null;
        long t0 = System.nanoTime();
        int vmid = 0;
        String phase = null;
        String message = null;
        boolean created = false;
        try {
            boolean stream = StreamRestore.canStream(name.type(), name.compression());
            InputStream src = content;
            if (stream) {
                src = new BufferedInputStream(content, 1 << 16);
                src.mark(RETRY_MARK);
            } else {
                staged = steps.stage(name, size, content);
            }
            Set<Integer> refused = new HashSet<>();
            while (true) {
                Set<Integer> taken = new HashSet<>(refused);
                for (Guest g : target.clusterGuests()) {
                    taken.add(g.vmid());
                }
                OptionalInt free = drill.range().firstFree(taken, drill.range().first());
                if (free.isEmpty()) {
                    throw new RestoreFailure("no free VMID in drill_vmid_range " + drill.range() + " (all " + drill.range().size()
                            + " taken); destroy what is there or give a wider range");
                }
                vmid = free.getAsInt();
                GuestRestore.Plan plan = new GuestRestore.Plan(name.type(), vmid, false, false);
                TransferLog.log().info("drill: restoring {} from {} as {} ({})", guest, dumpBase, vmid,
                        stream ? "streamed into qmrestore" : "staged");
                try {
                    if (stream) {
                        StreamRestore.restore(steps, plan, name.compression(), src, Optional.of(drill.pool()));
                    } else {
                        steps.runStaged(plan, staged, Optional.of(drill.pool()));
                    }
                    created = true;
                    break;
                } catch (GuestRestore.VmidTaken e) {
                    // Proxmox refused before reading anything: the id went to someone else since the inventory
                    TransferLog.log().info("drill: VMID {} was taken meanwhile; trying the next one", vmid);
                    refused.add(vmid);
                    vmid = 0;
                    if (stream) {
                        try {
                            src.reset();
                            src.mark(RETRY_MARK);
                        } catch (IOException x) {
                            throw new RestoreFailure("VMID " + plan.vmid() + " was taken meanwhile and the streamed dump cannot"
                                    + " be replayed for another id: " + x.getMessage());
                        }
                    }
                }
            }
            timings.put("restore", secondsSince(t0));
            phase = "isolate";
            guests.tag(name.type(), vmid, DrillOptions.TAG);
            int nics = guests.isolate(name.type(), vmid);
            TransferLog.log().info("drill: {} tagged {}, {} NIC(s) disconnected", label(name.type(), vmid), DrillOptions.TAG, nics);
            if (drill.boot()) {
                boot(name.type(), vmid, timings);
            }
            phase = null;
        } catch (RestoreFailure e) {
            message = e.getMessage();
            if (phase == null) {
                phase = "restore";
            }
            if (!(e instanceof GuestRestore.VmidTaken) && vmid > 0) {
                created = true; // the tool got past Proxmox's check with our VMID: what it left there is ours
            }
        } catch (PhaseFailure e) {
            phase = e.phase;
            message = e.getMessage();
        } catch (IOException e) {
            message = e.getMessage();
            if (phase == null) {
                phase = "restore";
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            message = "interrupted";
            if (phase == null) {
                phase = "restore";
            }
        } catch (RuntimeException e) {
            message = "unexpected error: " + e;
            if (phase == null) {
                phase = "restore";
            }
        } finally {
            if (staged != null) {
                steps.removeQuietly(staged.dir());
            }
        }
        if (phase == null && pacer.aborted()) {
            phase = "restore";
            message = "cancelled by the host";
        }
        String leftover = null;
        if (created) {
            leftover = destroy(name.type(), vmid);
            if (leftover != null && phase == null) {
                phase = "destroy";
                message = "the drill guest could not be destroyed";
            }
            if (leftover == null && phase != null) {
                // the tool's advice (qm destroy ...) is done already: say so instead of leaving it as a to-do
                message += " [the drill copy " + label(name.type(), vmid) + " has been destroyed since]";
            }
        }
        return new DrillResult(guest, dumpBase, vmid, phase == null, phase, message, timings, leftover, Instant.now());
    }

    /**
     * Starts the isolated copy and waits, up to drill_timeout, for {@code running}, then for its
     * guest agent to answer a ping (or, without an agent, for running plus drill_settle).
     */
    private void boot(GuestType type, int vmid, Map<String, Double> timings) throws PhaseFailure, IOException, InterruptedException {
        boolean agent = type == GuestType.QEMU && GuestCommands.agentEnabled(guests.config(type, vmid));
        long t0 = System.nanoTime();
        long deadline = t0 + drill.timeout().toNanos();
        try {
            node.start(type, vmid);
        } catch (IOException e) {
            throw new PhaseFailure("boot", e.getMessage());
        }
        while (node.status(type, vmid) != NodeControl.State.RUNNING) {
            if (!pacer.pause(drill.pollInterval(), deadline)) {
                throw new PhaseFailure("boot", pacer.aborted() ? "cancelled by the host while booting"
                        : "not running after " + drill.timeout().toSeconds() + "s");
            }
        }
        timings.put("boot", secondsSince(t0));
        long t1 = System.nanoTime();
        if (agent) {
            String last;
            while ((last = guests.ping(vmid)) != null) {
                if (!pacer.pause(drill.pollInterval(), deadline)) {
                    throw new PhaseFailure("agent", pacer.aborted() ? "cancelled by the host while waiting for the guest agent"
                            : "the guest agent did not answer within drill_timeout=" + drill.timeout().toSeconds()
                            + "s (last: " + last + "): the guest OS did not boot, or its agent is not running");
                }
            }
        } else {
            // without an agent nothing inside the guest can be asked: it must stay running for drill_settle
            long settleEnd = Math.min(deadline, System.nanoTime() + drill.settle().toNanos());
            while (pacer.pause(drill.pollInterval(), settleEnd)) {
                // until settleEnd (or a cancel)
            }
            if (pacer.aborted()) {
                throw new PhaseFailure("agent", "cancelled by the host while the guest settled");
            }
            if (node.status(type, vmid) != NodeControl.State.RUNNING) {
                throw new PhaseFailure("boot", "the guest stopped again within drill_settle=" + drill.settle().toSeconds() + "s");
            }
        }
        timings.put("agent", secondsSince(t1));
    }

    /** Stops (a power cut is fine for a throwaway copy) and destroys with disks; returns null, or what to delete by hand. */
    private String destroy(GuestType type, int vmid) {
        try {
            if (node.status(type, vmid) == NodeControl.State.ABSENT) {
                return null; // the restore tool removed what it created (pct does), nothing of ours is there
            }
            stopQuietly(type, vmid);
            guests.destroy(type, vmid);
            TransferLog.log().info("drill: {} destroyed with its disks", label(type, vmid));
            return null;
        } catch (IOException e) {
            TransferLog.log().error("drill: could not destroy {}: {}", label(type, vmid), e.getMessage());
            return label(type, vmid) + " (" + e.getMessage() + "): " + handDelete(type, vmid);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return label(type, vmid) + " (interrupted): " + handDelete(type, vmid);
        }
    }

    private void stopQuietly(GuestType type, int vmid) throws InterruptedException {
        try {
            if (node.status(type, vmid) == NodeControl.State.RUNNING) {
                node.stop(type, vmid);
            }
        } catch (IOException e) {
            TransferLog.log().warn("drill: could not stop {}: {}", label(type, vmid), e.getMessage());
        }
    }

    static String handDelete(GuestType type, int vmid) {
        String tool = NodeControl.tool(type);
        return tool + " stop " + vmid + "; " + tool + " unlock " + vmid + "; " + tool + " destroy " + vmid + " --purge 1";
    }

    static String label(GuestType type, int vmid) {
        return (type == GuestType.QEMU ? "VM " : "CT ") + vmid;
    }

    private static double secondsSince(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    /** A drill step that failed, with the phase it belongs to. */
    static final class PhaseFailure extends Exception {
        final String phase;

        PhaseFailure(String phase, String message) {
            super(message);
            this.phase = phase;
        }
    }

    /**
     * The poll pause of the boot waits: production polls with the clock (drill_poll_interval);
     * a cancel ends every pause at once so cleanup starts without waiting out the interval.
     */
    static final class Pacer {
        private boolean aborted;

        /** Waits {@code interval} (not past {@code deadlineNanos}); false when the deadline passed or the host cancelled. */
        synchronized boolean pause(Duration interval, long deadlineNanos) throws InterruptedException {
            long now = System.nanoTime();
            if (aborted || now >= deadlineNanos) {
                return false;
            }
            long end = Math.min(deadlineNanos, now + interval.toNanos());
            while (!aborted && (now = System.nanoTime()) < end) {
                long ms = Math.max(1, (end - now) / 1_000_000);
                wait(ms);
            }
            return !aborted && System.nanoTime() < deadlineNanos;
        }

        synchronized void abort() {
            aborted = true;
            notifyAll();
        }

        synchronized void resume() {
            aborted = false;
        }

        synchronized boolean aborted() {
            return aborted;
        }
    }
}
