package io.plakar.pve.runner;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * How a command on a node can be signalled whatever the SSH server allows: it is started as
 * {@code echo plakar-pid:$$ >&2; exec <argv>}, so the first stderr line carries the pid of the
 * tool itself (sshd starts every session in a new session, so it is also the process group).
 * A {@code kill} over another channel then reaches it, also where sshd refuses signal requests
 * (OpenSSH does for forced commands, e.g. a sudo wrapper) or the connection was lost.
 * This stream strips that line and remembers the pid.
 */
final class RemotePid extends FilterInputStream {
    private static final String PREFIX = "plakar-pid:";
    private volatile long pid = -1;
    private boolean first = true;

    RemotePid(InputStream stderr) {
        super(stderr);
    }

    /** The remote command line that reports its pid, then becomes {@code argv}. */
    static String wrap(List<String> argv) {
        return "echo " + PREFIX + "$$ >&2; exec " + ShellQuote.join(argv);
    }

    /** The tool's pid (and process group), or -1 while unknown. */
    long pid() {
        return pid;
    }

    private void sniff() throws IOException {
        if (!first) {
            return;
        }
        first = false;
        byte[] pre = new byte[PREFIX.length()];
        int got = 0;
        while (got < pre.length) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            pre[got++] = (byte) b;
            if (pre[got - 1] != PREFIX.charAt(got - 1)) {
                break;
            }
        }
        if (got == pre.length) {
            StringBuilder num = new StringBuilder();
            int b;
            while ((b = in.read()) >= 0 && b != '\n' && num.length() < 20) {
                num.append((char) b);
            }
            try {
                pid = Long.parseLong(num.toString().trim());
            } catch (NumberFormatException ignored) {
                // not ours
            }
        } else if (got > 0) {
            in = new java.io.SequenceInputStream(new java.io.ByteArrayInputStream(pre, 0, got), in);
        }
    }

    @Override
    public int read() throws IOException {
        sniff();
        return in.read();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        sniff();
        return in.read(b, off, len);
    }
}
