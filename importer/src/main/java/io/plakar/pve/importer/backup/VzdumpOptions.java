package io.plakar.pve.importer.backup;

import io.plakar.pve.proxmox.Compression;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The vzdump options a backup uses, and the argv for each transport. Option syntax per the
 * facts (§1.2, §2.1): positionals first (a boolean flag swallows the next bare word), every
 * boolean with an explicit value, {@code --compress 1} meaning lzo.
 *
 * @param mode        snapshot | suspend | stop
 * @param compress    0 | 1 | gzip | lzo | zstd, passed through as given
 * @param zstdThreads null = vzdump's default; 0 = half the CPUs
 * @param dumpDir     always passed: with {@code --stdout} vzdump still needs a directory for
 *                    temporary files and would otherwise depend on the {@code local} storage
 *                    allowing backups; it also keeps every write inside dump_dir
 */
public record VzdumpOptions(String mode, String compress, Integer zstdThreads, String dumpDir) {
    public static final List<String> MODES = List.of("snapshot", "suspend", "stop");
    public static final List<String> COMPRESSIONS = List.of("0", "1", "gzip", "lzo", "zstd");

    public VzdumpOptions {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(compress, "compress");
        Objects.requireNonNull(dumpDir, "dumpDir");
        if (!MODES.contains(mode)) {
            throw new IllegalArgumentException("bad mode " + mode);
        }
        if (!COMPRESSIONS.contains(compress)) {
            throw new IllegalArgumentException("bad compression " + compress);
        }
    }

    /** What the archive's first bytes should say, given {@code --compress}. */
    public Compression expectedCompression() {
        return switch (compress) {
            case "0" -> Compression.NONE;
            case "1", "lzo" -> Compression.LZO;
            case "gzip" -> Compression.GZIP;
            default -> Compression.ZSTD;
        };
    }

    /** {@code vzdump <vmid> --stdout 1 ...}: the archive on stdout, every log line on stderr. */
    public List<String> streamArgv(int vmid) {
        List<String> argv = common(vmid, dumpDir);
        argv.add(2, "--stdout");
        argv.add(3, "1");
        return argv;
    }

    /**
     * {@code vzdump <vmid> --dumpdir D ... --remove 0}: a file in {@code directory} (the run's
     * private directory), log lines on stdout. {@code --remove 0} so vzdump never prunes dumps.
     */
    public List<String> dumpdirArgv(int vmid, String directory) {
        List<String> argv = common(vmid, directory);
        argv.add("--remove");
        argv.add("0");
        return argv;
    }

    private List<String> common(int vmid, String directory) {
        List<String> argv = new ArrayList<>();
        argv.add("vzdump");
        argv.add(Integer.toString(vmid));
        argv.add("--mode");
        argv.add(mode);
        argv.add("--compress");
        argv.add(compress);
        if (zstdThreads != null && expectedCompression() == Compression.ZSTD) {
            argv.add("--zstd");
            argv.add(zstdThreads.toString());
        }
        argv.add("--dumpdir");
        argv.add(directory);
        return argv;
    }
}
