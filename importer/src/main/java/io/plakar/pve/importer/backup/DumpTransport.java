package io.plakar.pve.importer.backup;

/** How a dump leaves the node: vzdump's stdout, or a file in a private directory of dump_dir read back with cat. */
public enum DumpTransport { STREAM, DUMPDIR }
