package io.plakar.pve.sdk;

/**
 * The runtime's throughput settings, measured with {@code make bench-e2e} through the real plakar
 * (see the README's benchmark section). Each can be overridden with a system property (through
 * {@code PLAKAR_PVE_JVM_OPTS}) so the benchmark can compare settings within one run; users never
 * need to.
 */
final class Tuning {
    /**
     * Bytes an Open may have queued in the transport before its producer waits. gRPC's default
     * (32 KiB) is less than one chunk, so the producer waited for each 1 MiB chunk to reach the pipe
     * before reading the next one from vzdump: reading the source and writing to plakar alternated
     * instead of overlapping. A few chunks keep both busy; the memory bound stays a few MiB.
     */
    static final int ONREADY_THRESHOLD = Integer.getInteger("plakar.pve.onReadyThreshold", 4 << 20);

    /**
     * Buffer between the HTTP/2 transport and the pipes to plakar. okio hands the pipe one 8 KiB
     * segment, and each 9-byte frame header, per write(2) (and reads 8 KiB per read(2)); gathering
     * them into pipe-sized writes and reads cuts the system calls and the host's wake-ups by ~8x.
     * 0 turns the buffering off.
     */
    static final int STDIO_BUFFER = Integer.getInteger("plakar.pve.stdioBuffer", 64 << 10);

    private Tuning() {
    }
}
