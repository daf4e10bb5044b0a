package io.plakar.pve.testkit.host;

import io.grpc.ManagedChannel;

import java.util.List;

/**
 * A host that gives up in the middle of a restore, like a user interrupting {@code plakar
 * restore}: it sends the items as {@link ExporterClient#export} does, then cancels the Export
 * call once {@code afterBytes} of the content of {@code path} were sent (the plugin sees the
 * call cancelled while it is reading that record's content).
 */
public final class ExportAborter {
    private ExportAborter() {
    }

    public static ExporterClient.Outcome exportAndAbort(ManagedChannel channel, List<ExportItem> items, String path,
                                                        long afterBytes) {
        return new ExporterClient(channel).exportUntil(items, path, afterBytes);
    }
}
