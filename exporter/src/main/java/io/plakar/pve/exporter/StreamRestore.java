package io.plakar.pve.exporter;

import com.github.luben.zstd.ZstdInputStream;
import io.plakar.pve.proxmox.Compression;
import io.plakar.pve.proxmox.GuestType;
import io.plakar.pve.runner.RunningCommand;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import java.util.zip.GZIPInputStream;

/**
 * Restores a VM with no staging: {@code qmrestore - <vmid> ...} reads an uncompressed VMA on
 * stdin, so .zst (zstd-jni) and .gz (JDK) dumps are decompressed here on the way. Only VMs,
 * and only these compressions: the caller stages everything else.
 */
final class StreamRestore {
    private static final int BUFFER = 1 << 20;

    private StreamRestore() {
    }

    static boolean canStream(GuestType type, Compression c) {
        return type == GuestType.QEMU && (c == Compression.NONE || c == Compression.ZSTD || c == Compression.GZIP);
    }

    /**
     * Returns the uncompressed bytes fed to qmrestore. Only into a VMID that does not exist: over
     * an existing guest, qmrestore frees the old disks as soon as the VMA header arrives, and a
     * stream that then breaks would leave nothing; the caller stages those.
     */
    static long restore(GuestRestore steps, GuestRestore.Plan plan, Compression compression, InputStream content,
                        Optional<String> pool) throws RestoreFailure {
        if (plan.exists()) {
            throw new IllegalStateException("streaming over an existing guest");
        }
        RestoreCommand cmd = steps.command(plan, "-", pool);
        RunningCommand qr;
        try {
            qr = steps.startStreaming(cmd);
        } catch (IOException e) {
            throw new RestoreFailure("qmrestore could not start: " + e.getMessage(), e);
        } catch (AbortableCommands.Cancelled e) {
            throw steps.cancelled(plan, "");
        }
        Tail stdout = new Tail(qr.stdout());
        long fed = 0;
        String broken = null;
        try (qr) {
            InputStream src;
            try {
                src = decoder(content, compression);
            } catch (IOException e) {
                qr.kill();
                throw steps.failed(plan, "qmrestore", "the dump is not a valid " + compression.suffix() + " stream: "
                        + e.getMessage(), stdout.text());
            }
            OutputStream stdin = qr.stdin();
            byte[] buf = new byte[BUFFER];
            while (broken == null) {
                int n;
                try {
                    n = src.read(buf);
                } catch (IOException e) {
                    broken = "the snapshot content broke off or did not decompress after " + fed + " bytes: " + e.getMessage();
                    qr.kill();
                    break;
                }
                if (n < 0) {
                    break;
                }
                try {
                    stdin.write(buf, 0, n);
                    fed += n;
                } catch (IOException e) {
                    // qmrestore stopped reading: its exit status and stderr say why
                    broken = "qmrestore stopped reading after " + fed + " bytes";
                    break;
                }
            }
            try {
                // flush first: sshj's channel close() does not wait for window space before EOF
                if (broken == null) {
                    stdin.flush();
                }
                stdin.close();
            } catch (IOException ignored) {
                // reported through the exit status
            }
            int status = qr.waitFor(GuestRestore.RESTORE_TIMEOUT);
            stdout.awaitEnd();
            if (steps.aborted()) {
                throw steps.cancelled(plan, stdout.text());
            }
            if (status != 0 || broken != null) {
                String tool = ToolErrors.of(String.join("\n", qr.lastStderrLines()), stdout.text(), status);
                throw steps.failed(plan, "streaming restore", (broken != null ? broken + "; " : "") + "qmrestore " + tool,
                        stdout.text() + "\n" + String.join("\n", qr.lastStderrLines()));
            }
        } catch (IOException e) {
            throw steps.failed(plan, "streaming restore", e.getMessage(), stdout.text());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RestoreFailure("interrupted");
        } finally {
            steps.streamingDone(qr);
        }
        steps.startAfter(plan);
        return fed;
    }

    static InputStream decoder(InputStream content, Compression c) throws IOException {
        return switch (c) {
            case NONE -> content;
            case GZIP -> new GZIPInputStream(content, 256 << 10);
            case ZSTD -> new BufferedInputStream(new ZstdInputStream(content), BUFFER);
            default -> throw new IOException("cannot stream " + c.suffix() + " dumps");
        };
    }

    /** Drains qmrestore's stdout (its task log) so it never blocks, keeping the last lines. */
    private static final class Tail {
        private final Deque<String> lines = new ArrayDeque<>();
        private final Thread thread;

        Tail(InputStream in) {
            thread = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                    String l;
                    while ((l = r.readLine()) != null) {
                        synchronized (lines) {
                            if (lines.size() == 40) {
                                lines.removeFirst();
                            }
                            lines.addLast(l);
                        }
                    }
                } catch (IOException ignored) {
                    // command ended
                }
            }, "qmrestore stdout");
            thread.setDaemon(true);
            thread.start();
        }

        void awaitEnd() throws InterruptedException {
            thread.join(5000);
        }

        String text() {
            synchronized (lines) {
                return String.join("\n", lines);
            }
        }
    }
}
