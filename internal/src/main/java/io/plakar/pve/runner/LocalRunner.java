package io.plakar.pve.runner;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs commands on this machine with an argv (never a shell). The child's stdin is never
 * inherited: the plugin's stdin is the gRPC pipe and must not be read by anyone else.
 */
public final class LocalRunner implements Runner {
    private final Map<String, String> extraEnv;
    private final Duration stopGrace;

    public LocalRunner() {
        this(Map.of(), RunningCommand.DEFAULT_STOP_GRACE);
    }

    public LocalRunner(Duration stopGrace) {
        this(Map.of(), stopGrace);
    }

    /** {@code extraEnv} is added to the child environment (tests point PATH at the simulator). */
    public LocalRunner(Map<String, String> extraEnv, Duration stopGrace) {
        this.extraEnv = Map.copyOf(extraEnv);
        this.stopGrace = stopGrace;
    }

    @Override
    public String describe() {
        return "local";
    }

    private Process spawn(List<String> argv) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(argv);
        pb.environment().putAll(extraEnv);
        pb.redirectInput(ProcessBuilder.Redirect.PIPE);
        return pb.start();
    }

    @Override
    public CommandResult run(List<String> argv, Duration timeout) throws IOException, InterruptedException {
        Process p = spawn(argv);
        p.getOutputStream().close();
        StderrTail err = new StderrTail(p.getErrorStream(), LineListener.IGNORE, "stderr " + argv.get(0));
        StdoutCapture out = new StdoutCapture(p.getInputStream(), "stdout " + argv.get(0));
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            new ProcessCommand(p, err, argv.get(0), stopGrace).kill();
            throw new IOException("command " + argv.get(0) + " did not finish within " + timeout.toSeconds() + "s");
        }
        err.awaitEnd(5000);
        String stdout = out.await(5000);
        return new CommandResult(argv, p.exitValue(), stdout, String.join("\n", err.lines()));
    }


    @Override
    public RunningCommand start(List<String> argv, LineListener stderrLines) throws IOException {
        Process p = spawn(argv);
        StderrTail tail = new StderrTail(p.getErrorStream(), stderrLines, "stderr " + argv.get(0));
        return new ProcessCommand(p, tail, argv.get(0), stopGrace);
    }

    @Override
    public void close() {
    }
}
