package io.plakar.pve.runner;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * The {@code ssh_transport=openssh} runner: drives the system OpenSSH client ({@code ssh}) with
 * an argv, one {@code ssh} process (and connection) per command. OpenSSH's C crypto is the
 * throughput ceiling; this transport exists for speed comparison and as a fallback.
 *
 * <p>Limits, refused up front with a clear message: no password authentication (the client
 * runs with {@code BatchMode=yes}; without sshpass it cannot be given a password), no
 * {@code ssh_host_key_fingerprint} pin (OpenSSH can only check against a known_hosts file),
 * no key passphrase (use an agent). A key given as text is written to a private 0600 temp
 * file, deleted on {@link #close()}. Connection retries use OpenSSH's
 * {@code ConnectionAttempts} (1 s apart), not {@code ssh_retry_delay}.
 *
 * <p>Stopping: killing the local {@code ssh} closes the connection, which without a PTY does
 * not signal the remote command. So every command is started as
 * {@code echo plakar-pid:$$ >&2; exec <argv>}: the remote pid (= its process group, sshd runs
 * each session in a new session) is read from the first stderr line and {@link
 * RunningCommand#kill()} runs {@code kill -TERM -- -<pid>} on the node over a second connection
 * before killing the local client.
 */
public final class OpenSshRunner implements Runner {
    private static final Logger log = LoggerFactory.getLogger(OpenSshRunner.class);
    private static final Pattern SSH_OWN_ERROR = Pattern.compile(
            "(?i)^(ssh: |Host key verification failed|No \\S+ host key is known|Permission denied \\(|"
                    + "Connection closed by|Connection to .* closed|kex_exchange_identification|"
                    + "client_loop: send disconnect|Timeout, server .* not responding|Received disconnect).*");

    private final SshSettings settings;
    private final String sshBinary;
    private final Path tempKey;
    private final List<String> baseArgs;

    private OpenSshRunner(SshSettings settings, String sshBinary, Path tempKey, List<String> baseArgs) {
        this.settings = settings;
        this.sshBinary = sshBinary;
        this.tempKey = tempKey;
        this.baseArgs = baseArgs;
    }

    public static OpenSshRunner create(SshSettings s) throws RunnerException {
        return create(s, "ssh");
    }

    /** {@code sshBinary}: the client to run ({@code ssh} from PATH by default). */
    public static OpenSshRunner create(SshSettings s, String sshBinary) throws RunnerException {
        Optional<String> refused = SshTransportRules.refusal(true, s);
        if (refused.isPresent()) {
            throw RunnerException.badSettings(refused.get());
        }
        if (s.authMethod() == SshSettings.AuthMethod.AGENT) {
            String sock = System.getenv("SSH_AUTH_SOCK");
            if (sock == null || sock.isEmpty()) {
                throw RunnerException.badSettings("conn_method=agent: SSH_AUTH_SOCK is not set in the "
                        + "plugin's environment, so no SSH agent can be reached");
            }
        }
        Path tempKey = null;
        List<String> a = new ArrayList<>(List.of(sshBinary, "-T", "-x", "-a", "-F", "/dev/null",
                "-o", "BatchMode=yes",
                "-o", "ConnectTimeout=" + Math.max(1, s.connectTimeout().toSeconds()),
                "-o", "ConnectionAttempts=" + Math.max(1, s.retryCount() + 1),
                "-o", "ServerAliveInterval=15", "-o", "ServerAliveCountMax=4",
                "-o", "PasswordAuthentication=no", "-o", "KbdInteractiveAuthentication=no",
                "-o", "Ciphers=" + (s.cipher() != null ? s.cipher()
                        : "aes128-gcm@openssh.com,aes256-gcm@openssh.com,chacha20-poly1305@openssh.com,aes128-ctr,aes256-ctr"),
                "-o", "LogLevel=ERROR",
                "-p", Integer.toString(s.port()), "-l", s.username()));
        switch (s.hostKeyPolicy().kind()) {
            case INSECURE -> {
                a.addAll(List.of("-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                        "-o", "GlobalKnownHostsFile=/dev/null"));
                String w = "WARNING: ssh_insecure_ignore_host_key is set: the host key of " + s.host() + ":" + s.port()
                        + " is NOT verified. Anyone on the network path can impersonate the node, read the backups "
                        + "and tamper with restores.";
                System.err.println(w);
                log.warn(w);
            }
            default -> a.addAll(List.of("-o", "StrictHostKeyChecking=yes",
                    "-o", "UserKnownHostsFile=" + s.hostKeyPolicy().knownHostsFile(),
                    "-o", "GlobalKnownHostsFile=/dev/null"));
        }
        if (s.authMethod() == SshSettings.AuthMethod.IDENTITY) {
            Path key = s.identityFile();
            if (key == null) {
                try {
                    tempKey = Files.createTempFile("plakar-ssh-key", "",
                            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                    String text = s.identityKey();
                    Files.writeString(tempKey, text.endsWith("\n") ? text : text + "\n");
                } catch (IOException e) {
                    throw RunnerException.failed("cannot write conn_identity_key to a private temporary file ("
                            + e.getClass().getSimpleName() + ")");
                }
                key = tempKey;
                Path held = UnlinkedKeyFile.hold(tempKey);
                if (held != null) {
                    // the file is gone from the file system already: nothing outlives this process
                    key = held;
                    tempKey = null;
                }
            }
            a.addAll(List.of("-i", key.toString(), "-o", "IdentitiesOnly=yes", "-o", "IdentityAgent=none"));
        }
        a.add("--");
        a.add(s.host());
        return new OpenSshRunner(s, sshBinary, tempKey, List.copyOf(a));
    }

    @Override
    public String describe() {
        return "openssh " + settings.target();
    }

    /** The full local argv for a remote argv (visible for tests). */
    List<String> argvFor(List<String> remote, boolean reportPid) {
        List<String> a = new ArrayList<>(baseArgs);
        String line = ShellQuote.join(remote);
        a.add(reportPid ? RemotePid.wrap(remote) : line);
        return a;
    }

    @Override
    public CommandResult run(List<String> argv, Duration timeout) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(argvFor(argv, false)).start();
        p.getOutputStream().close();
        StderrTail err = new StderrTail(p.getErrorStream(), LineListener.IGNORE, "ssh stderr " + argv.get(0));
        StdoutCapture out = new StdoutCapture(p.getInputStream(), "ssh stdout " + argv.get(0));
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new IOException(describe() + ": " + argv.get(0) + " did not finish within " + timeout.toSeconds() + "s");
        }
        err.awaitEnd(5000);
        List<String> errLines = err.lines();
        if (p.exitValue() == 255 && sshFailed(errLines)) {
            throw new IOException(describe() + ": " + explain(errLines));
        }
        String stdout = out.await(5000);
        return new CommandResult(argv, p.exitValue(), stdout, String.join("\n", errLines));
    }


    static boolean sshFailed(List<String> stderr) {
        for (String l : stderr) {
            if (SSH_OWN_ERROR.matcher(l).matches()) {
                return true;
            }
        }
        return false;
    }

    private String explain(List<String> stderr) {
        String all = String.join("; ", stderr);
        if (all.contains("REMOTE HOST IDENTIFICATION HAS CHANGED") || all.contains("Host key for")) {
            return "HOST KEY MISMATCH (possible man-in-the-middle attack); refusing to connect: " + all;
        }
        if (all.contains("host key is known") || all.contains("Host key verification failed")) {
            return "the host key is unknown or does not match " + settings.hostKeyPolicy().knownHostsFile()
                    + "; check the node's fingerprint, then run `ssh-keyscan -p " + settings.port() + " " + settings.host()
                    + " >> " + settings.hostKeyPolicy().knownHostsFile() + "` (" + all + ")";
        }
        return all;
    }

    @Override
    public RunningCommand start(List<String> argv, LineListener stderrLines) throws IOException {
        Process p = new ProcessBuilder(argvFor(argv, true)).start();
        RemotePid err = new RemotePid(p.getErrorStream());
        StderrTail tail = new StderrTail(err, stderrLines, "ssh stderr " + argv.get(0));
        return new OpenSshCommand(p, err, tail);
    }

    @Override
    public void close() {
        if (tempKey != null) {
            try {
                Files.deleteIfExists(tempKey);
            } catch (IOException ignored) {
                // best effort
            }
        }
    }

    /** The local ssh client process; killing it also signals the remote process group. */
    private final class OpenSshCommand extends ProcessCommand {
        private final RemotePid pid;

        OpenSshCommand(Process process, RemotePid pid, StderrTail tail) {
            super(process, tail, describe(), settings.stopGrace());
            this.pid = pid;
        }

        @Override
        protected int exitStatus(int status, List<String> stderrTail) {
            // 255 with ssh's own error text: the connection failed, the command has no status
            return status == 255 && sshFailed(stderrTail) ? -1 : status;
        }

        /** TERM to the remote process group; the local client ends when the remote command does. */
        @Override
        protected void terminate() {
            signalRemote("TERM");
        }

        @Override
        protected void forceKill() {
            signalRemote("KILL");
        }

        private void signalRemote(String signal) {
            long remote = pid.pid();
            // "kill -TERM -<pgid>": no "--", which dash's builtin kill (sh on Debian) refuses
            if (remote > 1 && processAlive()) {
                try {
                    Process k = new ProcessBuilder(argvFor(List.of("kill", "-" + signal, "-" + remote), false))
                            .redirectErrorStream(true).start();
                    k.getOutputStream().close();
                    k.getInputStream().readAllBytes();
                    if (!k.waitFor(10, TimeUnit.SECONDS)) {
                        k.destroyForcibly();
                    }
                } catch (IOException e) {
                    log.warn("{}: could not signal remote process {}: {}", describe(), remote, e.toString());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}
