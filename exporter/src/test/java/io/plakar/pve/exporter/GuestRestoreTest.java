package io.plakar.pve.exporter;

import io.plakar.pve.proxmox.Cluster;
import io.plakar.pve.proxmox.DumpName;
import io.plakar.pve.proxmox.Resources;
import io.plakar.pve.runner.CommandResult;
import io.plakar.pve.runner.Runner;
import io.plakar.pve.runner.RunningCommand;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The restore steps' decisions, against a scripted node: what is refused, what is forced, what is checked first. */
class GuestRestoreTest {
    static final DumpName VM101 = DumpName.parse("vzdump-qemu-101-2026_02_10-02_00_00.vma.zst").orElseThrow();

    /** Answers pvesh/qm like a node with the given cluster inventory; records every command. */
    static final class ScriptedNode implements Runner {
        final String resources;
        final List<String> asked = new CopyOnWriteArrayList<>();

        ScriptedNode(String resources) {
            this.resources = resources;
        }

        @Override
        public String describe() {
            return "scripted";
        }

        @Override
        public CommandResult run(List<String> argv, Duration timeout) {
            String cmd = String.join(" ", argv);
            asked.add(cmd);
            if (cmd.startsWith("pvesh get /cluster/resources")) {
                return new CommandResult(argv, 0, resources, "");
            }
            if (cmd.startsWith("pvesh get /cluster/nextid")) {
                return new CommandResult(argv, 0, "\"105\"", "");
            }
            if (cmd.startsWith("pvesh get /pools/")) {
                return new CommandResult(argv, 2, "", "pool 'nosuch' does not exist");
            }
            if (cmd.startsWith("qm status 101")) {
                return new CommandResult(argv, 0, "status: running\n", "");
            }
            return new CommandResult(argv, 0, "", "");
        }

        @Override
        public RunningCommand start(List<String> argv, LineListener stderrLines) throws IOException {
            throw new IOException("not scripted");
        }

        @Override
        public void close() {
        }
    }

    static GuestRestore steps(ScriptedNode node, String... kv) throws Exception {
        Map<String, String> values = new java.util.LinkedHashMap<>(Map.of("mode", "local", "node", "pve1"));
        for (int i = 0; i < kv.length; i += 2) {
            values.put(kv[i], kv[i + 1]);
        }
        ProxmoxExporterConfig config = ProxmoxExporterConfig.parse(values);
        Cluster cluster = new Cluster() {
            final Resources inventory = new Resources(node);

            @Override
            public boolean local() {
                return true;
            }

            @Override
            public Runner entry() {
                return node;
            }

            @Override
            public Resources inventory() {
                return inventory;
            }

            @Override
            public String entryNode() {
                return "pve1";
            }

            @Override
            public Runner forNode(String n) {
                return node;
            }

            @Override
            public void close() {
            }
        };
        return new GuestRestore(config.restore(), RestoreTarget.connect(config.shared(), cluster), true);
    }

    static String guest(int vmid, String type, String node, String status) {
        return "{\"vmid\":" + vmid + ",\"type\":\"" + type + "\",\"node\":\"" + node + "\",\"name\":\"g\",\"status\":\""
                + status + "\",\"template\":0,\"id\":\"" + type + "/" + vmid + "\"}";
    }

    @Test
    void aFreeVmidIsRestoredWithoutForceEvenWhenForceWasAsked() throws Exception {
        GuestRestore s = steps(new ScriptedNode("[]"), "force_vm_restore", "true");
        GuestRestore.Plan plan = s.check(VM101, 101);
        assertFalse(plan.exists());
        assertFalse(s.command(plan, "/d/x.vma.zst", Optional.empty()).argv().contains("--force"));
    }

    @Test
    void aTakenVmidIsRefusedWithBothWaysOutWhateverTypeOrNode() throws Exception {
        GuestRestore s = steps(new ScriptedNode("[" + guest(101, "lxc", "pve2", "stopped") + "]"));
        String msg = assertThrows(RestoreFailure.class, () -> s.check(VM101, 101)).getMessage();
        assertTrue(msg.contains("CT 101 already exists (stopped) on node pve2") && msg.contains("newid=105")
                && msg.contains("force_vm_restore=true"), msg);
    }

    @Test
    void forceNeverCrossesTypesOrNodes() throws Exception {
        GuestRestore ct = steps(new ScriptedNode("[" + guest(101, "lxc", "pve1", "stopped") + "]"), "force_vm_restore", "true");
        assertTrue(assertThrows(RestoreFailure.class, () -> ct.check(VM101, 101)).getMessage().contains("same type"));
        GuestRestore elsewhere = steps(new ScriptedNode("[" + guest(101, "qemu", "pve2", "running") + "]"),
                "force_vm_restore", "true");
        String msg = assertThrows(RestoreFailure.class, () -> elsewhere.check(VM101, 101)).getMessage();
        assertTrue(msg.contains("exists on node pve2") && msg.contains("node=pve2"), msg);
    }

    @Test
    void anAskedOverwriteIsForcedButCheckedBeforeAnythingStops() throws Exception {
        ScriptedNode node = new ScriptedNode("[" + guest(101, "qemu", "pve1", "running") + "]");
        GuestRestore s = steps(node, "force_vm_restore", "true");
        GuestRestore.Plan plan = s.check(VM101, 101);
        assertTrue(plan.exists() && plan.wasRunning());
        assertTrue(s.command(plan, "/d/x", Optional.empty()).argv().containsAll(List.of("--force", "1")));
        String msg = assertThrows(RestoreFailure.class, () -> s.checkOverwrite(plan, 1000, Optional.of("nosuch"))).getMessage();
        assertTrue(msg.contains("pool 'nosuch' does not exist") && msg.contains("nothing was changed"), msg);
        assertTrue(node.asked.stream().noneMatch(c -> c.startsWith("qm shutdown") || c.startsWith("qm stop")), node.asked.toString());
    }

    @Test
    void proxmoxsOwnRefusalComesBackWithTheWayOut() throws Exception {
        GuestRestore s = steps(new ScriptedNode("[]"));
        GuestRestore.Plan plan = s.check(VM101, 101);
        String msg = s.failed(plan, "qmrestore", "exit status 255: unable to restore VM 101 - VM 101 already exists on node 'pve2'",
                "unable to restore VM 101 - VM 101 already exists on node 'pve2'").getMessage();
        assertTrue(msg.contains("nothing was changed") && msg.contains("newid=105") && msg.contains("force_vm_restore=true"), msg);
        String dirty = s.failed(plan, "qmrestore", "exit status 255: boom", "VM 101 state is NOT cleaned up.").getMessage();
        assertTrue(dirty.contains("qm destroy 101"), dirty);
    }
}
