package io.plakar.pve.runner;

import net.schmizz.keepalive.KeepAliveProvider;
import net.schmizz.keepalive.KeepAliveRunner;
import net.schmizz.sshj.DefaultConfig;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.common.Factory;
import net.schmizz.sshj.connection.channel.direct.Session;
import net.schmizz.sshj.connection.channel.direct.Signal;
import net.schmizz.sshj.transport.TransportException;
import net.schmizz.sshj.userauth.UserAuthException;
import net.schmizz.sshj.userauth.keyprovider.KeyProvider;
import net.schmizz.sshj.userauth.password.PasswordUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Runs commands on a node over SSH with sshj: one {@link SSHClient} connection for the whole
 * run (opened at the first command, re-opened if it dropped), one session channel per
 * command. Every argv element is quoted with {@link ShellQuote#join}; the remote login shell
 * parses the line back into exactly that argv.
 *
 * <p>Throughput: AES-GCM is negotiated first (the JDK's AES-NI/CLMUL intrinsics make it the
 * fastest cipher sshj has; chacha20-poly1305 is pure Java), curve25519 key exchange, a 16 MiB
 * channel window and ~252 KiB maximum packet so the server never waits for window adjustments.
 *
 * <p>Stopping a command ({@link RunningCommand#kill()}): a {@code signal TERM} channel request
 * is sent first (OpenSSH ≥ 7.9 delivers it with {@code killpg} to the command's process
 * group; vzdump handles TERM by cleaning up its snapshot and lock), then the channel is
 * closed. Closing alone does not signal anything: without a PTY sshd only closes the
 * command's pipes, so a command blocked writing its stdout (vzdump --stdout) gets SIGPIPE/EPIPE
 * on its next write and dies, but a command that never writes (sleep) keeps running until
 * it ends on its own. That is why the signal is sent first.
 *
 * <p>Secrets (password, key text, passphrase) are never logged nor put in exception messages.
 */
public final class SshRunner implements Runner {
    private static final Logger log = LoggerFactory.getLogger(SshRunner.class);

    static final long WINDOW_SIZE = 16L << 20;
    /** Below sshj's 256 KiB decoder limit (it counts padding and headers too). */
    static final int MAX_PACKET = (256 << 10) - 4096;
    private static final List<String> CIPHER_PREFERENCE = List.of(
            "aes128-gcm@openssh.com", "aes256-gcm@openssh.com", "aes128-ctr", "aes256-ctr", "aes192-ctr",
            "chacha20-poly1305@openssh.com");
    private static final List<String> MAC_PREFERENCE = List.of(
            "hmac-sha2-256-etm@openssh.com", "hmac-sha2-512-etm@openssh.com", "hmac-sha2-256", "hmac-sha2-512");
    private static final List<String> KEX_PREFERENCE = List.of(
            "curve25519-sha256", "curve25519-sha256@libssh.org", "ecdh-sha2-nistp256", "ecdh-sha2-nistp384",
            "ecdh-sha2-nistp521", "diffie-hellman-group-exchange-sha256", "diffie-hellman-group16-sha512",
            "diffie-hellman-group18-sha512", "diffie-hellman-group14-sha256");

    private final SshSettings settings;
    private final Object lock = new Object();
    private SSHClient client;
    private boolean closed;
    private boolean warnedInsecure;
    private volatile String negotiated = "";

    private SshRunner(SshSettings settings) {
        this.settings = settings;
    }

    /** Connects now (with retries) so configuration, host key and credential errors surface early. */
    public static SshRunner connect(SshSettings settings) throws RunnerException, InterruptedException {
        SshRunner r = new SshRunner(settings);
        synchronized (r.lock) {
            r.client = r.open();
        }
        return r;
    }

    public SshSettings settings() {
        return settings;
    }

    @Override
    public String describe() {
        return "ssh " + settings.target();
    }

    /** The cipher negotiated on the current connection (server to client), for logs and benchmarks. */
    public String negotiatedCipher() {
        return negotiated;
    }

    // ---------------------------------------------------------------- connection

    private SSHClient client() throws IOException {
        synchronized (lock) {
            if (closed) {
                throw new IOException(describe() + ": runner is closed");
            }
            if (client != null && client.isConnected() && client.isAuthenticated()) {
                return client;
            }
            if (client != null) {
                log.info("{}: connection lost, reconnecting", describe());
                closeQuietly(client);
                client = null;
            }
            try {
                client = open();
            } catch (RunnerException e) {
                throw new SshConnectException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException(describe() + ": interrupted while connecting");
            }
            return client;
        }
    }

    /** sshj reports a transport that died mid-authentication as an authentication failure. */
    private static boolean droppedDuringAuth(SSHClient c, UserAuthException e) {
        if (!c.isConnected() || !c.getTransport().isRunning()) {
            return true;
        }
        for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
            if (t instanceof TransportException || t instanceof java.io.EOFException
                    || t instanceof java.net.SocketException) {
                return true;
            }
        }
        return false;
    }

    static DefaultConfig config(String forcedCipher) {
        DefaultConfig cfg = new DefaultConfig();
        List<String> ciphers = forcedCipher != null ? List.of(forcedCipher) : CIPHER_PREFERENCE;
        List<Factory.Named<net.schmizz.sshj.transport.cipher.Cipher>> available =
                new ArrayList<>(cfg.getCipherFactories());
        if (JdkAesGcm.available()) {
            // same names, JDK engine: put them first so ordered() picks them over sshj's BouncyCastle ones
            available.add(0, JdkAesGcm.factory(256));
            available.add(0, JdkAesGcm.factory(128));
        }
        cfg.setCipherFactories(dedupe(ordered(available, ciphers, false)));
        cfg.setKeyExchangeFactories(ordered(cfg.getKeyExchangeFactories(), KEX_PREFERENCE, true));
        cfg.setMACFactories(ordered(cfg.getMACFactories(), MAC_PREFERENCE, true));
        cfg.setKeepAliveProvider(KeepAliveProvider.KEEP_ALIVE);
        cfg.setMaxCircularBufferSize((int) WINDOW_SIZE * 2);
        return cfg;
    }

    private static <T> List<Factory.Named<T>> dedupe(List<Factory.Named<T>> in) {
        List<Factory.Named<T>> out = new ArrayList<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (Factory.Named<T> f : in) {
            if (seen.add(f.getName())) {
                out.add(f);
            }
        }
        return out;
    }

    /** The factories named in {@code preference}, in that order; the others after them if {@code keepRest}. */
    private static <T> List<Factory.Named<T>> ordered(List<Factory.Named<T>> available, List<String> preference,
                                                      boolean keepRest) {
        List<Factory.Named<T>> out = new ArrayList<>();
        for (String name : preference) {
            for (Factory.Named<T> f : available) {
                if (f.getName().equals(name)) {
                    out.add(f);
                }
            }
        }
        if (keepRest) {
            for (Factory.Named<T> f : available) {
                if (!out.contains(f)) {
                    out.add(f);
                }
            }
        }
        return out;
    }

    private SSHClient open() throws RunnerException, InterruptedException {
        Optional<String> refused = SshTransportRules.refusal(false, settings);
        if (refused.isPresent()) {
            throw RunnerException.badSettings(refused.get());
        }
        int attempts = settings.retryCount() + 1;
        for (int attempt = 1; ; attempt++) {
            SSHClient c = new SSHClient(config(settings.cipher()));
            HostKeyPolicy.Verifier verifier;
            try {
                verifier = settings.hostKeyPolicy().newVerifier();
            } catch (IOException e) {
                throw RunnerException.badSettings("ssh_known_hosts: cannot read "
                        + settings.hostKeyPolicy().knownHostsFile() + ": " + e.getMessage());
            }
            c.addHostKeyVerifier(verifier);
            c.addAlgorithmsVerifier(algs -> {
                negotiated = algs.getKeyExchangeAlgorithm() + " " + algs.getServer2ClientCipherAlgorithm()
                        + (algs.getServer2ClientCipherAlgorithm().matches(".*(gcm|poly1305).*")
                        ? "" : " " + algs.getServer2ClientMACAlgorithm());
                return true;
            });
            c.setConnectTimeout((int) settings.connectTimeout().toMillis());
            c.getConnection().setWindowSize(WINDOW_SIZE);
            c.getConnection().setMaxPacketSize(MAX_PACKET);
            c.getConnection().setTimeoutMs((int) Math.max(settings.connectTimeout().toMillis(), 30_000));
            try {
                c.connect(settings.host(), settings.port());
            } catch (IOException e) {
                closeQuietly(c);
                String refusal = verifier.refusalMessage(settings.host(), settings.port());
                if (refusal != null) {
                    throw RunnerException.refused(refusal);
                }
                String why = describe() + ": cannot connect: " + cause(e);
                if (attempt >= attempts) {
                    throw RunnerException.unreachable(why + " (after " + attempts + " attempt"
                            + (attempts > 1 ? "s" : "") + ")", e);
                }
                log.warn("{}; retrying in {} ms (attempt {}/{})", why, settings.retryDelay().toMillis(), attempt,
                        attempts);
                Thread.sleep(settings.retryDelay().toMillis());
                continue;
            }
            if (verifier.outcome() == HostKeyPolicy.Outcome.ACCEPTED_INSECURE && !warnedInsecure) {
                warnedInsecure = true;
                String w = "WARNING: ssh_insecure_ignore_host_key is set: the host key of " + settings.host() + ":"
                        + settings.port() + " (" + verifier.offered() + ") is NOT verified. Anyone on the network path "
                        + "can impersonate the node, read the backups and tamper with restores. Set "
                        + "ssh_host_key_fingerprint=" + verifier.offeredFingerprint() + " instead.";
                System.err.println(w);
                log.warn(w);
            }
            try {
                authenticate(c);
            } catch (UserAuthException e) {
                boolean dropped = droppedDuringAuth(c, e);
                closeQuietly(c);
                if (dropped) {
                    // the connection died while authenticating: that is not a refusal of the credentials
                    String why = describe() + ": connection lost during authentication: " + cause(e);
                    if (attempt >= attempts) {
                        throw RunnerException.unreachable(why, e);
                    }
                    log.warn("{}; retrying in {} ms", why, settings.retryDelay().toMillis());
                    Thread.sleep(settings.retryDelay().toMillis());
                    continue;
                }
                throw new RunnerException(RunnerException.Reason.AUTH_REFUSED, describe()
                        + ": authentication failed (conn_method=" + settings.authMethod().name().toLowerCase()
                        + "): the server refused the credentials", e);
            } catch (RunnerException e) {
                closeQuietly(c);
                throw e;
            } catch (IOException e) {
                closeQuietly(c);
                String why = describe() + ": connection failed during authentication: " + cause(e);
                if (attempt >= attempts) {
                    throw RunnerException.unreachable(why, e);
                }
                log.warn("{}; retrying in {} ms", why, settings.retryDelay().toMillis());
                Thread.sleep(settings.retryDelay().toMillis());
                continue;
            }
            try {
                KeepAliveRunner ka = (KeepAliveRunner) c.getConnection().getKeepAlive();
                ka.setKeepAliveInterval(15);
                ka.setMaxAliveCount(4);
            } catch (ClassCastException ignored) {
                // another provider: no dead-peer detection
            }
            log.debug("{}: connected ({}), host key {}", describe(), negotiated, verifier.offered());
            return c;
        }
    }

    private void authenticate(SSHClient c) throws IOException, RunnerException {
        switch (settings.authMethod()) {
            case PASSWORD -> {
                char[] pw = settings.password().toCharArray();
                try {
                    c.authPassword(settings.username(), pw);
                } finally {
                    PasswordUtils.blankOut(pw);
                }
            }
            case IDENTITY -> {
                KeyProvider key;
                String pass = settings.identityPassphrase();
                try {
                    if (settings.identityFile() != null) {
                        key = pass == null ? c.loadKeys(settings.identityFile().toString())
                                : c.loadKeys(settings.identityFile().toString(), pass.toCharArray());
                    } else {
                        key = c.loadKeys(settings.identityKey(), null,
                                pass == null ? null : PasswordUtils.createOneOff(pass.toCharArray()));
                    }
                    key.getPublic(); // parse (and decrypt) now, so a bad key is a config error, not an auth one
                } catch (IOException | RuntimeException e) {
                    String what = settings.identityFile() != null
                            ? "conn_identity_file " + settings.identityFile() : "conn_identity_key";
                    throw RunnerException.badSettings(what + " cannot be read as a private key"
                            + (pass != null ? " with the given conn_identity_passphrase" : "")
                            + " (" + e.getClass().getSimpleName() + ")");
                }
                c.authPublickey(settings.username(), key);
            }
            default -> throw new IllegalStateException();
        }
    }

    private static String cause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String m = t.getMessage();
        return t.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // closing anyway
        }
    }

    // ---------------------------------------------------------------- commands

    @Override
    public CommandResult run(List<String> argv, Duration timeout) throws IOException, InterruptedException {
        try (SshCommand cmd = startCommand(argv, Runner.LineListener.IGNORE, false)) {
            cmd.stdin().close();
            StdoutCapture out = new StdoutCapture(cmd.stdout(), "ssh stdout " + argv.get(0));
            int status = cmd.waitFor(timeout);
            if (status < 0) {
                throw new IOException(describe() + ": " + argv.get(0) + " ended without an exit status ("
                        + (cmd.exitSignal() != null ? "killed by signal " + cmd.exitSignal() : "connection lost") + ")");
            }
            String stdout = out.await(5000);
            return new CommandResult(argv, status, stdout, String.join("\n", cmd.lastStderrLines()));
        }
    }


    @Override
    public RunningCommand start(List<String> argv, LineListener stderrLines) throws IOException {
        return startCommand(argv, stderrLines, true);
    }

    /** {@code reportPid}: long-running tools report their pid so that stopping them never depends on signal requests. */
    private SshCommand startCommand(List<String> argv, LineListener stderrLines, boolean reportPid) throws IOException {
        String line = reportPid ? RemotePid.wrap(argv) : ShellQuote.join(argv);
        SSHClient c = client();
        Session session;
        try {
            session = c.startSession();
        } catch (IOException | IllegalStateException e) {
            // (sshj throws IllegalStateException "Not connected" when the transport died between
            // our liveness check and the channel request)
            // The connection died while idle but looked alive (EOF not noticed yet): no channel
            // was opened, so nothing started on the node; reconnect once and try again.
            log.info("{}: cannot open a session ({}); reconnecting", describe(), e.getMessage());
            synchronized (lock) {
                if (client == c) {
                    closeQuietly(client);
                    client = null;
                }
            }
            c = client();
            session = c.startSession();
        }
        try {
            Session.Command cmd = session.exec(line);
            InputStream stderr = new BackpressuredStderr(cmd.getErrorStream(), cmd.getInputStream(), cmd, (int) (WINDOW_SIZE / 2));
            RemotePid pid = reportPid ? new RemotePid(stderr) : null;
            StderrTail tail = new StderrTail(pid != null ? pid : stderr, stderrLines, "ssh stderr " + argv.get(0));
            log.debug("{}: started {}", describe(), argv.get(0));
            return new SshCommand(this, session, cmd, tail, pid, describe() + " " + argv.get(0), c.getTransport(),
                    settings.stopGrace());
        } catch (IOException | RuntimeException e) {
            closeQuietly(session);
            throw e;
        }
    }

    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
            if (client != null) {
                closeQuietly(client);
                client = null;
            }
        }
    }

    /** Thrown by commands when the (re)connection itself failed; carries the user-facing error. */
    public static final class SshConnectException extends IOException {
        private final RunnerException cause;

        SshConnectException(RunnerException e) {
            super(e.getMessage(), e);
            this.cause = e;
        }

        public RunnerException reason() {
            return cause;
        }
    }

    static final class SshCommand implements RunningCommand {
        private final SshRunner owner;
        private final RemotePid remotePid;
        private final Session session;
        private final Session.Command cmd;
        private final StderrTail tail;
        private final String what;
        private final net.schmizz.sshj.transport.Transport transport;
        private final InputStream stdout;
        private final OutputStream stdin;
        private final Duration stopGrace;
        private volatile boolean killed;

        SshCommand(SshRunner owner, Session session, Session.Command cmd, StderrTail tail, RemotePid remotePid,
                   String what, net.schmizz.sshj.transport.Transport transport, Duration stopGrace) {
            this.owner = owner;
            this.remotePid = remotePid;
            this.transport = transport;
            this.stopGrace = stopGrace;
            this.stdout = new DropCheckingStream(cmd.getInputStream());
            this.stdin = new FlushingStdin(cmd.getOutputStream());
            this.session = session;
            this.cmd = cmd;
            this.tail = tail;
            this.what = what;
        }

        @Override
        public InputStream stdout() {
            return stdout;
        }

        /**
         * sshj ends a channel's stream with a plain EOF when the connection dies; a reader would
         * take a truncated dump for a complete one. At EOF we wait briefly for the exit status
         * (it follows EOF on the wire); none and the connection gone means a drop: throw.
         */
        private final class DropCheckingStream extends java.io.FilterInputStream {
            DropCheckingStream(InputStream in) {
                super(in);
            }

            @Override
            public int read() throws IOException {
                int b = super.read();
                return b < 0 ? checkEof() : b;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = super.read(b, off, len);
                return n < 0 ? checkEof() : n;
            }

            private int checkEof() throws IOException {
                long deadline = System.nanoTime() + 3_000_000_000L;
                while (cmd.isOpen() && transport.isRunning() && cmd.getExitStatus() == null
                        && cmd.getExitSignal() == null && System.nanoTime() < deadline) {
                    try {
                        cmd.join(100, TimeUnit.MILLISECONDS);
                    } catch (net.schmizz.sshj.connection.ConnectionException ignored) {
                        // slice over, or channel/connection died: re-check
                    }
                }
                // OpenSSH always sends exit-status or exit-signal before closing a session channel
                if (!killed && cmd.getExitStatus() == null && cmd.getExitSignal() == null
                        && (!cmd.isOpen() || !transport.isRunning())) {
                    throw new IOException(what + ": connection lost before the command finished (output truncated)");
                }
                return -1;
            }
        }

        @Override
        public OutputStream stdin() {
            return stdin;
        }

        /**
         * sshj's channel stream sends EOF on close() without waiting for window space for what
         * is still buffered: bytes would be lost. Closing flushes first, for every caller.
         */
        private final class FlushingStdin extends java.io.FilterOutputStream {
            FlushingStdin(OutputStream out) {
                super(out);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                try {
                    if (cmd.isOpen()) {
                        out.flush();
                    }
                } catch (IOException stoppedReading) {
                    // the command already closed its stdin (a short command that exited): nothing
                    // more can be delivered, and its exit status tells whether that mattered
                } finally {
                    out.close();
                }
            }
        }

        String exitSignal() {
            Signal s = cmd.getExitSignal();
            return s == null ? null : s.name();
        }

        @Override
        public int waitFor(Duration timeout) throws IOException, InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (cmd.isOpen()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    kill();
                    throw new IOException(what + " did not finish within " + timeout.toSeconds() + "s");
                }
                try {
                    cmd.join(Math.min(TimeUnit.NANOSECONDS.toMillis(left) + 1, 1000), TimeUnit.MILLISECONDS);
                } catch (net.schmizz.sshj.connection.ConnectionException e) {
                    // timeout of this slice, or the channel/connection died: the loop checks isOpen()
                    if (!cmd.isOpen() || !transportAlive()) {
                        break;
                    }
                }
                if (Thread.interrupted()) {
                    throw new InterruptedException();
                }
                if (!transportAlive()) {
                    break;
                }
            }
            tail.awaitEnd(2000);
            Integer status = cmd.getExitStatus();
            return killed || status == null ? -1 : status;
        }

        private boolean transportAlive() {
            return transport.isRunning();
        }

        @Override
        public List<String> lastStderrLines() {
            return tail.lines();
        }

        /**
         * TERM to the tool, a bounded wait (the stop grace) for it to clean up and exit, then
         * KILL to its process group, then the channel is closed. The tool's pid is signalled
         * with {@code kill} over another channel (a new connection if this one was lost): sshd
         * refuses signal requests for forced commands, and closing the channel alone signals
         * nothing (without a PTY sshd only closes the pipes). Without a known pid, signal
         * requests are the fallback.
         */
        @Override
        public synchronized void kill() {
            if (killed) {
                return;
            }
            killed = true;
            long pid = remotePid == null ? -1 : remotePid.pid();
            long deadline = System.nanoTime() + stopGrace.toNanos();
            boolean sent = pid > 0 ? remoteKill("-TERM", Long.toString(pid)) : signal(Signal.TERM);
            closeStdin();
            drainStdout();
            while (sent && isAlive() && transport.isRunning() && System.nanoTime() < deadline) {
                try {
                    cmd.join(Math.max(1, Math.min(200, (deadline - System.nanoTime()) / 1_000_000)), TimeUnit.MILLISECONDS);
                } catch (net.schmizz.sshj.connection.ConnectionException ignored) {
                    // slice over, or the channel died: the loop re-checks
                }
            }
            boolean alive = isAlive() && transport.isRunning();
            if (pid > 0 && !alive && cmd.getExitStatus() == null && cmd.getExitSignal() == null) {
                // the channel is gone without an exit status: ask the node whether the tool still runs
                while (remoteAlive(pid) && System.nanoTime() < deadline) {
                    sleepQuietly(200);
                }
                alive = remoteAlive(pid);
            }
            if (alive) {
                if (pid > 0) {
                    remoteKill("-KILL", "-" + pid);
                } else {
                    signal(Signal.KILL);
                }
            }
            closeQuietly(cmd);
        }

        private boolean remoteKill(String signal, String target) {
            try {
                // no "--": dash's builtin kill (sh on Debian) refuses it
                return owner.run(List.of("kill", signal, target), Duration.ofSeconds(30)).ok();
            } catch (IOException | RuntimeException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }

        private boolean remoteAlive(long pid) {
            return remoteKill("-0", Long.toString(pid));
        }

        private void closeStdin() {
            try {
                cmd.getOutputStream().close();
            } catch (IOException | RuntimeException ignored) {
                // already closed or the channel is gone
            }
        }

        private static void sleepQuietly(long millis) {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /** Sends a signal request; false when the channel or connection is gone. */
        private boolean signal(Signal s) {
            if (!cmd.isOpen() || !transport.isRunning()) {
                return false;
            }
            try {
                cmd.signal(s);
                return true;
            } catch (TransportException | RuntimeException e) {
                return false;
            }
        }

        /**
         * Reads and drops what the tool still writes while it cleans up, so it never blocks on a
         * full channel window instead of exiting.
         */
        private void drainStdout() {
            Thread t = new Thread(() -> {
                byte[] buf = new byte[64 << 10];
                try {
                    InputStream in = cmd.getInputStream();
                    while (in.read(buf) >= 0) {
                        // discard
                    }
                } catch (IOException | RuntimeException ignored) {
                    // channel closed
                }
            }, "drain " + what);
            t.setDaemon(true);
            t.start();
        }

        @Override
        public boolean isAlive() {
            return cmd.isOpen() && cmd.getExitStatus() == null && cmd.getExitSignal() == null;
        }

        @Override
        public void close() {
            if (isAlive()) {
                kill();
            }
            closeQuietly(cmd);
            closeQuietly(session);
        }
    }
}
