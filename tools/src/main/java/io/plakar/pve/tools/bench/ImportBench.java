package io.plakar.pve.tools.bench;

import io.grpc.stub.StreamObserver;
import io.plakar.pve.tools.measure.RssSampler;
import io.plakar.pve.proto.connectors.Record;
import io.plakar.pve.proto.importer.ImportRequest;
import io.plakar.pve.proto.importer.ImportResponse;
import io.plakar.pve.proto.importer.ImporterGrpc;
import io.plakar.pve.proto.importer.OpenResponse;
import io.plakar.pve.testkit.host.ImporterClient;
import io.plakar.pve.testkit.host.PluginProcess;
import io.plakar.pve.testkit.sim.SimulatedCluster;
import io.plakar.pve.testkit.sim.LoopbackSshd;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * {@code make bench-import}: one guest of N GiB (default 4) dumped through the packaged
 * proxmoxImporter, mode=local and mode=remote over a loopback sshd, next to the ceilings
 * measured in the same run: {@code vzdump | cat >/dev/null} on the fake node, and OpenSSH
 * {@code ssh node vzdump ... > /dev/null} with the same cipher. Plus the plugin's peak RSS
 * (VmHWM) for 1 GiB and 8 GiB in local mode, which must be flat. Prints, never asserts.
 * Usage: {@code ImportBench [GiB] [rss sizes in GiB, comma-separated, default 1,8; "none" to skip]}
 */
public final class ImportBench {
    static final String CIPHER = "aes128-gcm@openssh.com";

    public static void main(String[] args) throws Exception {
        long gib = args.length > 0 ? Long.parseLong(args[0]) : 4;
        String rssSizes = args.length > 1 ? args[1] : "1,8";
        System.setProperty("testhost.quiet", "true");
        Path dist = Path.of(System.getProperty("plugin.dist", "plugin/target/dist"));
        Path exe = dist.resolve("proxmoxImporter");

        try (SimulatedCluster node = SimulatedCluster.create(); LoopbackSshd sshd = LoopbackSshd.start(node)) {
            node.putEnv("PVE_FAKE_NOW", "1714557600");
            Path dumpDir = node.newDumpDir("bench");
            long bytes = setSize(node, gib);
            String vz = "vzdump 100 --stdout 1 --mode snapshot --compress 0 --dumpdir " + dumpDir;

            double localCeiling = mbps(bytes, timeShell(List.of("sh", "-c", vz + " 2>/dev/null | cat > /dev/null"), node.env()));
            Result local = pluginRun(exe, node.env(), localConfig(dumpDir));

            List<String> ssh = new ArrayList<>(sshd.sshCommand(vz + " 2>/dev/null"));
            ssh.addAll(1, List.of("-c", CIPHER));
            double sshCeiling = mbps(bytes, timeShell(ssh, Map.of()));
            Result sshj = pluginRun(exe, Map.of(), remoteConfig(sshd, dumpDir, "sshj"));
            Result openssh = pluginRun(exe, Map.of(), remoteConfig(sshd, dumpDir, "openssh"));

            System.out.printf("bench-import: VM 100, %d GiB, uncompressed VMA, through the packaged proxmoxImporter%n", gib);
            System.out.printf("  local ceiling  (vzdump | cat >/dev/null):              %7.0f MB/s%n", localCeiling);
            System.out.printf("  local plugin   (Open -> test host):                    %7.0f MB/s  ratio %.2f (goal >= 0.40)  peak RSS %d MiB%n",
                    local.mbps, local.mbps / localCeiling, local.peakRss >> 20);
            System.out.printf("  ssh ceiling    (ssh -c %s vzdump > /dev/null): %7.0f MB/s%n", CIPHER, sshCeiling);
            double target = Math.min(sshCeiling, local.mbps);
            System.out.printf("  remote plugin, sshj    (%s):           %7.0f MB/s  ratio %.2f of min(ssh, local) (goal >= 0.80)  peak RSS %d MiB%n",
                    CIPHER, sshj.mbps, sshj.mbps / target, sshj.peakRss >> 20);
            System.out.printf("  remote plugin, openssh (ssh_transport=openssh):        %7.0f MB/s  ratio %.2f of min(ssh, local)  peak RSS %d MiB%n",
                    openssh.mbps, openssh.mbps / target, openssh.peakRss >> 20);

            if (!rssSizes.equals("none")) {
                for (String s : rssSizes.split(",")) {
                    long g = Long.parseLong(s.strip());
                    long b = setSize(node, g);
                    Result r = pluginRun(exe, node.env(), localConfig(dumpDir));
                    System.out.printf("  local plugin, %2d GiB:                                  %7.0f MB/s  peak RSS %d MiB (%d bytes)%n",
                            g, r.mbps, r.peakRss >> 20, b);
                }
            }
        }
    }

    static long setSize(SimulatedCluster node, long gib) {
        long bytes = gib << 30;
        node.putEnv("PVE_FAKE_DISK_BYTES_100", Long.toString(bytes));
        return bytes;
    }

    static Map<String, String> localConfig(Path dumpDir) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("mode", "local");
        m.put("vmid", "100");
        m.put("dump_dir", dumpDir.toString());
        return m;
    }

    static Map<String, String> remoteConfig(LoopbackSshd sshd, Path dumpDir, String transport) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("location", "proxmox+backup://127.0.0.1");
        m.put("mode", "remote");
        m.put("conn_method", "identity");
        m.put("conn_username", sshd.username());
        m.put("conn_identity_file", sshd.identityFile().toString());
        m.put("conn_port", Integer.toString(sshd.port()));
        m.put("ssh_known_hosts", sshd.knownHostsFile().toString());
        m.put("ssh_cipher", CIPHER);
        m.put("ssh_transport", transport);
        m.put("vmid", "100");
        m.put("dump_dir", dumpDir.toString());
        return m;
    }

    record Result(double mbps, long peakRss, long bytes) {
    }

    /**
     * Import, then Open the one record and count its bytes (no hashing on the host side: the
     * plugin is what is measured), acknowledge, half-close. The clock runs from Open to the
     * end of the stream: the head sniffing happens before, in Import.
     */
    static Result pluginRun(Path exe, Map<String, String> env, Map<String, String> config) throws Exception {
        try (PluginProcess p = PluginProcess.spawn(exe, env)) {
            ImporterClient c = p.importer();
            c.init("proxmox+backup", config);
            RssSampler rss = RssSampler.start(p.pid());
            LinkedBlockingQueue<Object> events = new LinkedBlockingQueue<>();
            StreamObserver<ImportRequest> acks = ImporterGrpc.newStub(p.channel()).import_(new StreamObserver<>() {
                @Override
                public void onNext(ImportResponse v) {
                    if (!v.getFinished()) {
                        events.add(v.getRecord());
                    }
                }

                @Override
                public void onError(Throwable t) {
                    events.add(t);
                }

                @Override
                public void onCompleted() {
                }
            });
            Object ev = events.poll(10, TimeUnit.MINUTES);
            if (!(ev instanceof Record rec) || !rec.getError().isEmpty()) {
                throw new IllegalStateException("no good record: " + ev + "\n" + p.stderr());
            }
            long t0 = System.nanoTime();
            long got = 0;
            Iterator<OpenResponse> it = c.open(rec.getPathname());
            while (it.hasNext()) {
                got += it.next().getChunk().size();
            }
            long t = System.nanoTime() - t0;
            long peak = rss.stop();
            acks.onNext(ImportRequest.newBuilder()
                    .setResult(io.plakar.pve.proto.connectors.Result.newBuilder().setHeader(rec)).build());
            acks.onCompleted();
            c.close();
            p.closeAndWait(Duration.ofSeconds(30));
            return new Result(mbps(got, t), peak, got);
        }
    }

    static double mbps(long bytes, long nanos) {
        return bytes / 1e6 / (nanos / 1e9);
    }

    static long timeShell(List<String> cmd, Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.INHERIT);
        pb.environment().putAll(env);
        long t0 = System.nanoTime();
        Process p = pb.start();
        int rc = p.waitFor();
        if (rc != 0) {
            throw new IllegalStateException("ceiling command failed (" + rc + "): " + cmd);
        }
        return System.nanoTime() - t0;
    }
}
