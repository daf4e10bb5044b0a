package io.plakar.pve.importer.audit.api;

/**
 * A finished or running task from a task list ({@code /nodes/{node}/tasks}) of PVE or PBS.
 * {@code end} and {@code status} are null while it runs; {@code status} is {@code OK},
 * {@code WARNINGS: <n>}, {@code unknown} or the error message itself.
 */
public record Task(String node, String type, String workerId, long start, Long end, String status) {
    /** OK or with warnings: the job did its work. */
    public boolean succeeded() {
        return status != null && (status.equals("OK") || status.startsWith("WARNINGS"));
    }

    public boolean running() {
        return status == null;
    }
}
