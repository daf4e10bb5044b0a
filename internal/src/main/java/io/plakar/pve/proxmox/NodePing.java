package io.plakar.pve.proxmox;

import io.plakar.pve.runner.Runner;
import io.plakar.pve.sdk.ConnectorException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;

/** Plakar's Ping for the proxmox+backup connectors: the node answers {@code pvesh get /version}. */
public final class NodePing {
    private static final Logger LOG = LoggerFactory.getLogger(NodePing.class);

    private NodePing() {
    }

    public static void check(Runner runner) throws ConnectorException {
        try {
            String v = new Resources(runner).version();
            LOG.info("reached {}: pve-manager {}", runner.describe(), v);
        } catch (IOException e) {
            throw ConnectorException.unavailable("proxmox+backup: " + runner.describe() + " is not usable: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ConnectorException.unavailable("proxmox+backup: ping interrupted", e);
        }
    }
}
