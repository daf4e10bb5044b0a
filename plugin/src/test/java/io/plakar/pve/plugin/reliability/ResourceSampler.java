package io.plakar.pve.plugin.reliability;

/** Samples a plugin's resident memory (VmRSS, VmHWM), open file descriptors and children while it works. */
final class ResourceSampler implements AutoCloseable {
    private final long pid;
    private final Thread thread;
    private volatile boolean running = true;
    volatile long hwmKiB;
    volatile long maxRssKiB;
    volatile int maxFds;
    volatile int firstFds = -1;
    volatile int maxChildren;
    volatile long samples;

    ResourceSampler(long pid, long periodMillis) {
        this.pid = pid;
        this.thread = new Thread(() -> {
            while (running) {
                sample();
                Procs.sleep(periodMillis);
            }
        }, "resource-sampler");
        thread.setDaemon(true);
        thread.start();
    }

    private void sample() {
        long rss = Procs.statusKiB(pid, "VmRSS");
        if (rss == 0) {
            return;
        }
        samples++;
        maxRssKiB = Math.max(maxRssKiB, rss);
        hwmKiB = Math.max(hwmKiB, Procs.statusKiB(pid, "VmHWM"));
        int fds = Procs.fdCount(pid);
        maxFds = Math.max(maxFds, fds);
        ProcessHandle.of(pid).ifPresent(h -> maxChildren = (int) Math.max(maxChildren, h.children().count()));
    }

    /** The descriptors open once the connector is initialised: what every later count is compared with. */
    void baseline() {
        firstFds = Procs.fdCount(pid);
    }

    int fdsNow() {
        return Procs.fdCount(pid);
    }

    @Override
    public void close() {
        sample();
        running = false;
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
