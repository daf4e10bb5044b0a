package io.plakar.pve.runner;

import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Micro-benchmark (not a test): streams N bytes of {@code head -c N /dev/zero} from a loopback
 * sshd through SshRunner (sshj), OpenSshRunner (ssh binary) and plain
 * {@code ssh host 'head -c N /dev/zero' > /dev/null}, same cipher, and prints MB/s.
 *
 * <pre>mvn -q -o -pl internal test-compile exec:java ... or:
 * java -cp internal/target/classes:internal/target/test-classes:$(deps) io.plakar.pve.runner.SshThroughputBench 2 [cipher]</pre>
 * Args: GiB (default 2), cipher (default aes128-gcm@openssh.com), rounds (default 3).
 */
public final class SshThroughputBench {
    public static void main(String[] args) throws Exception {
        double gib = args.length > 0 ? Double.parseDouble(args[0]) : 2;
        String cipher = args.length > 1 ? args[1] : SshSettings.DEFAULT_CIPHER;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        long n = (long) (gib * (1L << 30));
        try (TestSshd sshd = new TestSshd()) {
            SshSettings s = sshd.keySettings().cipher(cipher).build();
            List<String> argv = List.of("head", "-c", Long.toString(n), "/dev/zero");
            System.out.printf("streaming %.2f GiB, cipher %s, %d rounds (best and mean)%n", gib, cipher, rounds);
            try (SshRunner r = SshRunner.connect(s); OpenSshRunner o = OpenSshRunner.create(s)) {
                bench("warm-up sshj", () -> drain(r, List.of("head", "-c", Long.toString(256L << 20), "/dev/zero")), 1, 256L << 20);
                System.out.println("sshj negotiated: " + r.negotiatedCipher());
                bench("SshRunner (sshj)", () -> drain(r, argv), rounds, n);
                bench("OpenSshRunner (ssh binary)", () -> drain(o, argv), rounds, n);
            }
            List<String> plain = List.of("sh", "-c", "ssh -p " + sshd.port + " -i " + sshd.clientKey
                    + " -o BatchMode=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile=" + sshd.knownHosts
                    + " -o Ciphers=" + cipher + " " + TestSshd.USER + "@127.0.0.1 'head -c " + n
                    + " /dev/zero' > /dev/null");
            bench("plain ssh > /dev/null", () -> {
                Process p = new ProcessBuilder(plain).inheritIO().start();
                if (p.waitFor() != 0) {
                    throw new IllegalStateException("ssh failed");
                }
                return n;
            }, rounds, n);
        }
    }

    interface Job {
        long run() throws Exception;
    }

    static long drain(Runner r, List<String> argv) throws Exception {
        try (RunningCommand c = r.start(argv, Runner.LineListener.IGNORE)) {
            c.stdin().close();
            InputStream in = c.stdout();
            byte[] buf = new byte[1 << 20];
            long total = 0;
            int k;
            while ((k = in.read(buf)) > 0) {
                total += k;
            }
            int st = c.waitFor(Duration.ofMinutes(5));
            if (st != 0) {
                throw new IllegalStateException("exit " + st + " " + c.lastStderrLines());
            }
            return total;
        }
    }

    static void bench(String name, Job job, int rounds, long expect) throws Exception {
        double best = 0;
        double sum = 0;
        for (int i = 0; i < rounds; i++) {
            long t0 = System.nanoTime();
            long got = job.run();
            double sec = (System.nanoTime() - t0) / 1e9;
            if (got != expect) {
                throw new IllegalStateException(name + ": got " + got + " bytes, expected " + expect);
            }
            double mbs = got / 1e6 / sec;
            best = Math.max(best, mbs);
            sum += mbs;
        }
        System.out.printf("%-30s best %8.1f MB/s   mean %8.1f MB/s%n", name, best, sum / rounds);
    }

    static Path unused() {
        return null;
    }
}
