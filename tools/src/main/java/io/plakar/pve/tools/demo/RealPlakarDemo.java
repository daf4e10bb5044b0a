package io.plakar.pve.tools.demo;

import io.plakar.pve.testkit.pbs.FakePbs;
import io.plakar.pve.testkit.pbs.Snap;
import io.plakar.pve.testkit.sim.SimulatedCluster;
import io.plakar.pve.testkit.sim.LoopbackSshd;
import io.plakar.pve.tools.plakar.Cmd;
import io.plakar.pve.tools.plakar.PlakarHome;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code make demo} through the user's own plakar: the package is made and installed with
 * {@code plakar pkg create} / {@code pkg add} into a private home (never the user's), then each
 * command is printed as the user would type it and run, against the bundled Proxmox simulator
 * behind a loopback sshd and the fake PBS.
 */
final class RealPlakarDemo {
    private static final Pattern SNAPSHOT = Pattern.compile("(?m)^([0-9a-f]{8}): backup completed");
    private static final long T = 1714557600L; // 2024-05-01T10:00:00Z

    private final PlakarHome plakar;
    private final String repo;

    private RealPlakarDemo(PlakarHome plakar, String repo) {
        this.plakar = plakar;
        this.repo = repo;
    }

    static void run(Path plakarBin, Path pkg) throws Exception {
        Path work = Files.createTempDirectory("plakar-pve-demo");
        try (SimulatedCluster node = SimulatedCluster.create("demo"); LoopbackSshd sshd = LoopbackSshd.start(node)) {
            PlakarHome home = new PlakarHome(plakarBin, work.resolve("home"));
            node.env().forEach(home::env);
            RealPlakarDemo d = new RealPlakarDemo(home, work.resolve("repo").toString());
            Demo.banner("your plakar (" + plakarBin + ") in a private home: HOME=" + home.home());
            System.out.println("  Proxmox simulator: node " + node.localNode() + ", sshd on " + sshd.host() + ":" + sshd.port());

            System.out.println();
            System.out.println("$ (cd " + pkg + " && plakar pkg create -out " + work.resolve(PlakarHome.PTAR) + " ./manifest.yaml "
                    + PlakarHome.VERSION + ")");
            Path ptar = home.pkgCreate(pkg, work);
            d.show(List.of("pkg", "add", ptar.toString()));
            d.show(List.of("at", d.repo, "create", "-plaintext"));
            d.show(List.of("source", "add", "pve", "proxmox+backup://" + sshd.host(), "mode=remote",
                    "conn_method=identity", "conn_username=" + sshd.username(),
                    "conn_identity_file=" + sshd.identityFile(), "conn_port=" + sshd.port(),
                    "ssh_known_hosts=" + sshd.knownHostsFile(), "dump_dir=" + node.localDumpDir()));
            d.show(List.of("destination", "add", "pve", "proxmox+backup://" + sshd.host(), "mode=remote",
                    "conn_method=identity", "conn_username=" + sshd.username(),
                    "conn_identity_file=" + sshd.identityFile(), "conn_port=" + sshd.port(),
                    "ssh_known_hosts=" + sshd.knownHostsFile(), "dump_dir=" + node.newDumpDir("restore-staging")));

            String snap = snapshotId(d.show(List.of("at", d.repo, "backup", "-o", "vmid=100,101", "@pve")));
            String ls = d.show(List.of("at", d.repo, "ls", snap + ":/")).stdoutWithoutUnpacking();
            String vm = firstMatch(ls, "vzdump-qemu-100-\\S+");
            d.show(List.of("at", d.repo, "check", snap));
            d.show(List.of("at", d.repo, "restore", "-o", "newid=200", "-to", "@pve", snap + ":/" + vm));
            System.out.println("  qm status 200 on the node: " + node.run("qm", "status", "200").stdoutText().strip());
            d.show(List.of("at", d.repo, "restore", "-to", "@pve", snap + ":/" + vm));

            try (FakePbs pbs = new FakePbs("audit@pbs!demo", "demo-secret")) {
                pbs.store("backup")
                        .add("", Snap.ct("200", T - 86_400, 1_200_000_000L).node("pve1").name("dns01"))
                        .add("", Snap.ct("200", T, 1_300_000_000L).node("pve2").name("mail01"))
                        .add("prod", Snap.vm("100", T + 3600, 34_359_738_368L).name("web01"));
                pbs.start();
                String audit = snapshotId(d.show(List.of("at", d.repo, "backup", "-o", "token_id=audit@pbs!demo",
                        "-o", "token_secret=demo-secret", "-o", "fingerprint=" + pbs.fingerprint(),
                        "pbs+audit://127.0.0.1:" + pbs.port())));
                d.show(List.of("at", d.repo, "cat", audit + ":/report/report.txt"));
            }
            home.awaitPluginExit(home.installedPackage());
        } finally {
            Demo.deleteTree(work);
        }
    }

    /** Prints the command as typed, runs it, prints what plakar and the plugin printed (less the unpacking lines). */
    private Cmd.Result show(List<String> args) {
        List<String> quoted = new ArrayList<>();
        for (String a : args) {
            quoted.add(a.matches("[A-Za-z0-9_@%+=:,./-]+") ? a : "'" + a.replace("'", "'\\''") + "'");
        }
        System.out.println();
        System.out.println("$ plakar " + String.join(" ", quoted));
        Cmd.Result r = plakar.run(args);
        String out = r.stdoutWithoutUnpacking();
        if (!out.isEmpty()) {
            System.out.println(out);
        }
        if (!r.stderr().isBlank()) {
            System.out.print(r.stderr());
        }
        if (r.exit() != 0) {
            throw new IllegalStateException("plakar exited " + r.exit());
        }
        return r;
    }

    private static String snapshotId(Cmd.Result r) {
        Matcher m = SNAPSHOT.matcher(r.stdout());
        if (!m.find()) {
            throw new IllegalStateException("no snapshot id in plakar's output");
        }
        return m.group(1);
    }

    private static String firstMatch(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        if (!m.find()) {
            throw new IllegalStateException("nothing like " + regex + " in:\n" + text);
        }
        return m.group();
    }
}
