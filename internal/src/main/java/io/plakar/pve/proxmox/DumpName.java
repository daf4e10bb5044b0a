package io.plakar.pve.proxmox;

import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One truth for what a vzdump archive is called:
 * {@code vzdump-<qemu|lxc>-<vmid>-<YYYY_MM_DD-HH_MM_SS>.<vma|tar>[.gz|.lzo|.zst|.bz2]}
 * (plus {@code .tgz}, which Proxmox still recognises). The time is the node's local time,
 * as vzdump writes it. Parsing also accepts the versioned {@code vzdump-v1-...} names older
 * plugins wrote, and refuses a name whose format contradicts its guest type (a {@code .vma}
 * claiming to be a container), so a hostile name cannot pick the restore tool.
 */
public record DumpName(GuestType type, int vmid, LocalDateTime time, Compression compression, boolean tgz) {

    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("uuuu_MM_dd-HH_mm_ss");
    private static final Pattern NAME = Pattern.compile(
            "vzdump-(?:v1-)?(qemu|lxc|openvz)-([1-9][0-9]{2,8})-"
                    + "([0-9]{4}_[0-9]{2}_[0-9]{2}-[0-9]{2}_[0-9]{2}_[0-9]{2})"
                    + "\\.(tgz|(tar|vma)(\\.gz|\\.lzo|\\.zst|\\.bz2)?)");

    public DumpName {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(compression, "compression");
        if (vmid < 100 || vmid > 999_999_999) {
            throw new IllegalArgumentException("VMID out of range: " + vmid);
        }
        if (tgz && (type != GuestType.LXC || compression != Compression.GZIP)) {
            throw new IllegalArgumentException(".tgz is a gzip-compressed container dump");
        }
        time = time.withNano(0);
    }

    public static DumpName of(GuestType type, int vmid, LocalDateTime time, Compression compression) {
        return new DumpName(type, vmid, time, compression, false);
    }

    /** The canonical file name (what vzdump would have written for this dump). */
    public String fileName() {
        return stem() + (tgz ? ".tgz" : "." + type.archiveFormat() + compression.suffix());
    }

    /** The name of the log vzdump writes next to the archive: {@code vzdump-qemu-101-<time>.log}. */
    public String logFileName() {
        return stem() + ".log";
    }

    /** The same dump taken one second later: the next candidate when a name is taken. */
    public DumpName nextSecond() {
        return new DumpName(type, vmid, time.plusSeconds(1), compression, tgz);
    }

    private String stem() {
        return "vzdump-" + type.id() + "-" + vmid + "-" + STAMP.format(time);
    }

    /**
     * The snapshot path of a guest that produced no archive, so no compression suffix and no
     * time are known: {@code /vzdump-qemu-101}, or {@code /vzdump-101} when even the type is not.
     */
    public static String failedRecordPath(GuestType type, int vmid) {
        return type == null ? "/vzdump-" + vmid : "/vzdump-" + type.id() + "-" + vmid;
    }

    /**
     * Parses a base name (no directory). Empty when it is not a vzdump archive name, or when
     * its format contradicts its guest type.
     */
    public static Optional<DumpName> parse(String baseName) {
        if (baseName == null || baseName.length() > 255) {
            return Optional.empty();
        }
        Matcher m = NAME.matcher(baseName);
        if (!m.matches()) {
            return Optional.empty();
        }
        GuestType type = m.group(1).equals("qemu") ? GuestType.QEMU : GuestType.LXC;
        int vmid = Integer.parseInt(m.group(2));
        LocalDateTime time;
        try {
            time = LocalDateTime.parse(m.group(3), STAMP);
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
        boolean tgz = m.group(4).equals("tgz");
        if (tgz) {
            return type == GuestType.LXC ? Optional.of(new DumpName(type, vmid, time, Compression.GZIP, true)) : Optional.empty();
        }
        if (!m.group(5).equals(type.archiveFormat())) {
            return Optional.empty();
        }
        Compression c = Compression.fromSuffix(m.group(6) == null ? "" : m.group(6)).orElseThrow();
        return Optional.of(new DumpName(type, vmid, time, c, false));
    }

    @Override
    public String toString() {
        return fileName();
    }
}
