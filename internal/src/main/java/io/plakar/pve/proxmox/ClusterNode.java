package io.plakar.pve.proxmox;

/** A cluster member from {@code /cluster/status}: its name, address (may be empty), and whether it is the node we run on. */
public record ClusterNode(String name, String ip, boolean local, boolean online) {
}
