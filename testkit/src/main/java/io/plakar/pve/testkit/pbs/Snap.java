package io.plakar.pve.testkit.pbs;

import com.fasterxml.jackson.core.JsonGenerator;

import java.io.IOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * One PBS snapshot of the fake, written with the exact {@code SnapshotListItem} shape
 * of the real API: kebab-case, {@code size} absent while in progress, {@code protected}
 * always present, {@code client.log.blob} listed with its name only.
 */
public final class Snap {
    public record File(String name, String cryptMode, Long size) {
    }

    public final String type;
    public final String id;
    public final long time;
    public boolean inProgress;
    public String owner = "root@pam";
    public boolean isProtected;
    public String comment;
    public String verifyState;
    public String verifyUpid;
    public String fingerprint;
    /** The node for the client log's {@code Client name:} line (containers) — null: no log. */
    public String logNode;
    public String guestName;
    public boolean hasLog = true;
    public final List<File> files = new ArrayList<>();

    private Snap(String type, String id, long time) {
        this.type = type;
        this.id = id;
        this.time = time;
    }

    /** A finished VM backup with a disk of {@code diskBytes}. */
    public static Snap vm(String id, long time, long diskBytes) {
        Snap s = new Snap("vm", id, time);
        s.files.add(new File("qemu-server.conf.blob", "none", 512L));
        s.files.add(new File("drive-scsi0.img.fidx", "none", diskBytes));
        s.files.add(new File("index.json.blob", "none", 600L));
        return s;
    }

    /** A finished CT backup whose root archive has {@code rootBytes}. */
    public static Snap ct(String id, long time, long rootBytes) {
        Snap s = new Snap("ct", id, time);
        s.files.add(new File("pct.conf.blob", "none", 421L));
        s.files.add(new File("root.pxar.didx", "none", rootBytes));
        s.files.add(new File("catalog.pcat1.didx", "none", 9000L));
        s.files.add(new File("index.json.blob", "none", 642L));
        return s;
    }

    public static Snap host(String id, long time, long bytes) {
        Snap s = new Snap("host", id, time);
        s.files.add(new File("etc.pxar.didx", "none", bytes));
        s.files.add(new File("index.json.blob", "none", 480L));
        s.hasLog = false;
        return s;
    }

    /** Still being written: files without sizes, no manifest, no size. */
    public Snap inProgress() {
        inProgress = true;
        hasLog = false;
        List<File> keep = new ArrayList<>();
        for (File f : files) {
            if (!f.name().equals("index.json.blob")) {
                keep.add(new File(f.name(), null, null));
            }
        }
        files.clear();
        files.addAll(keep);
        return this;
    }

    public Snap owner(String o) {
        owner = o;
        return this;
    }

    public Snap node(String n) {
        logNode = n;
        return this;
    }

    public Snap name(String n) {
        guestName = n;
        return this;
    }

    public Snap comment(String c) {
        comment = c;
        return this;
    }

    public Snap protect() {
        isProtected = true;
        return this;
    }

    public Snap verified(String state, String upid) {
        verifyState = state;
        verifyUpid = upid;
        return this;
    }

    public Snap encrypted(String fp) {
        fingerprint = fp;
        List<File> keep = new ArrayList<>();
        for (File f : files) {
            keep.add(new File(f.name(), f.name().equals("index.json.blob") ? "sign-only" : "encrypt", f.size()));
        }
        files.clear();
        files.addAll(keep);
        return this;
    }

    public Long size() {
        if (inProgress) {
            return null;
        }
        long n = 0;
        for (File f : files) {
            n += f.size() == null ? 0 : f.size();
        }
        return n;
    }

    /** {@code 2024-05-01T10:00:00Z}, as PBS and PVE volids print backup times. */
    public String iso() {
        return DateTimeFormatter.ISO_INSTANT.format(Instant.ofEpochSecond(time).atOffset(ZoneOffset.UTC));
    }

    public void write(JsonGenerator g) throws IOException {
        g.writeStartObject();
        g.writeStringField("backup-type", type);
        g.writeStringField("backup-id", id);
        g.writeNumberField("backup-time", time);
        if (comment != null) {
            g.writeStringField("comment", comment);
        }
        if (verifyState != null) {
            g.writeObjectFieldStart("verification");
            g.writeStringField("state", verifyState);
            g.writeStringField("upid", verifyUpid);
            g.writeEndObject();
        }
        g.writeArrayFieldStart("files");
        for (File f : files) {
            g.writeStartObject();
            g.writeStringField("filename", f.name());
            if (f.cryptMode() != null) {
                g.writeStringField("crypt-mode", f.cryptMode());
            }
            if (f.size() != null) {
                g.writeNumberField("size", f.size());
            }
            g.writeEndObject();
        }
        if (hasLog) {
            g.writeStartObject();
            g.writeStringField("filename", "client.log.blob");
            g.writeEndObject();
        }
        g.writeEndArray();
        Long size = size();
        if (size != null) {
            g.writeNumberField("size", size + (hasLog ? 0 : 0));
        }
        g.writeStringField("owner", owner);
        g.writeBooleanField("protected", isProtected);
        if (fingerprint != null) {
            g.writeStringField("fingerprint", fingerprint);
        }
        g.writeEndObject();
    }

    /** The decoded client.log.blob, in the vzdump log format
     * ({@code YYYY-MM-DD HH:MM:SS INFO: …}; containers name the client host in {@code Client name:}). */
    public String clientLog(String ns) {
        String ts = "2024-05-01 12:00:00";
        StringBuilder sb = new StringBuilder();
        boolean ct = type.equals("ct");
        sb.append(ts).append(" INFO: Starting Backup of VM ").append(id).append(ct ? " (lxc)\n" : " (qemu)\n");
        sb.append(ts).append(" INFO: status = running\n");
        if (guestName != null) {
            sb.append(ts).append(" INFO: ").append(ct ? "CT" : "VM").append(" Name: ").append(guestName).append('\n');
        }
        sb.append(ts).append(" INFO: backup mode: snapshot\n");
        sb.append(ts).append(" INFO: creating Proxmox Backup Server archive '").append(type).append('/').append(id)
                .append('/').append(iso()).append("'\n");
        if (ct) {
            sb.append(ts).append(" INFO: Starting backup: [").append(ns).append("]:").append(type).append('/').append(id)
                    .append('/').append(iso()).append('\n');
            if (logNode != null) {
                sb.append(ts).append(" INFO: Client name: ").append(logNode).append('\n');
            }
            sb.append(ts).append(" INFO: Starting backup protocol: Wed May  1 12:00:00 2024\n");
        }
        sb.append(ts).append(" INFO: Finished Backup of VM ").append(id).append(" (00:00:32)\n");
        return sb.toString();
    }
}
