package io.plakar.pve.exporter;

import io.plakar.pve.sdk.Result;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/** The closing stderr lines of a restore: which guests came back and which did not. */
final class RestoreSummary {
    private static final Logger LOG = LoggerFactory.getLogger("summary");
    private final List<String> restored = new ArrayList<>();
    private final List<String> failed = new ArrayList<>();

    void dumpResult(Result r) {
        if (r.deferred()) {
            return;
        }
        String path = SnapshotLayout.printable(r.record().pathname());
        if (r.isOk()) {
            restored.add(path);
        } else {
            failed.add(path + ": " + r.error());
        }
    }

    void log() {
        int total = restored.size() + failed.size();
        if (total == 0) {
            LOG.info("restore summary: the snapshot held no Proxmox dump to restore");
            return;
        }
        LOG.info("restore summary: {} of {} guests restored", restored.size(), total);
        for (String f : failed) {
            LOG.error("restore summary: NOT restored: {}", f);
        }
    }
}
