package io.plakar.pve.importer;

import io.plakar.pve.runner.LocalRunner;
import io.plakar.pve.runner.Runner;

import java.util.Map;

/** mode=local: every command runs on this machine, which is one node of the cluster. */
final class LocalNodeAccess implements NodeAccess {
    private final Runner runner;

    LocalNodeAccess(Map<String, String> extraEnv) {
        this.runner = new LocalRunner(extraEnv);
    }

    @Override
    public boolean local() {
        return true;
    }

    @Override
    public Runner inventory() {
        return runner;
    }

    @Override
    public Runner forNode(String node) {
        return runner;
    }

    @Override
    public void close() {
        runner.close();
    }
}
