package io.plakar.pve.sdk;

/** The Init answer: origin (e.g. the node's host name), type (the protocol), root and location flags. */
public record ConnectorInfo(String origin, String type, String root, int flags) {
    public static final int LOCALFS = 1;
    public static final int FILE = 1 << 1;
    public static final int STREAM = 1 << 2;
    public static final int NEEDACK = 1 << 3;
    public static final int NOMERGE = 1 << 4;
    public static final int EXPORTXATTR = 1 << 5;
}
