package io.plakar.pve.importer.backup;


import java.util.concurrent.atomic.AtomicBoolean;

/** A record the host has been given and not yet acknowledged: its running dump and who cleans up after it. */
final class OutstandingRecord {
    final StartedDump dump;
    final GuestDumper dumper;
    final AtomicBoolean opened = new AtomicBoolean();

    OutstandingRecord(StartedDump dump, GuestDumper dumper) {
        this.dump = dump;
        this.dumper = dumper;
    }
}
