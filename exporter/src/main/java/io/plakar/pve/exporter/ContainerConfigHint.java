package io.plakar.pve.exporter;

import com.github.luben.zstd.ZstdInputStream;
import io.plakar.pve.proxmox.Compression;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.zip.GZIPInputStream;

/**
 * Reads the storage of a container's {@code rootfs} from the dump itself: vzdump writes
 * {@code ./etc/vzdump/pct.conf} as the first tar member (after its pax header). Only the first bytes of the (possibly
 * compressed) archive are kept while staging, so this never reads the dump twice.
 * lzo and bzip2 prefixes are not decoded here (no JDK decoder): the caller asks for
 * {@code storage=} instead.
 */
public final class ContainerConfigHint {
    /** Compressed bytes kept from the start of a container dump: pct.conf is tiny and first. */
    public static final int PREFIX_BYTES = 1 << 20;
    private static final int MAX_CONF = 256 << 10;

    private ContainerConfigHint() {
    }

    /**
     * The storage id of {@code rootfs:} in the dump's pct.conf, or empty when unknown. GNU tar
     * as vzdump runs it ({@code --acls --xattrs}) writes POSIX (pax) archives: an extended
     * header precedes every member, so the tar library reads past it to the first real member.
     */
    public static Optional<String> rootfsStorage(byte[] prefix, int length, Compression compression) {
        try (InputStream in = decoder(new ByteArrayInputStream(prefix, 0, length), compression)) {
            if (in == null) {
                return Optional.empty();
            }
            TarArchiveInputStream tar = new TarArchiveInputStream(in);
            TarArchiveEntry e = tar.getNextEntry();
            if (e == null || !(e.getName().equals("./etc/vzdump/pct.conf") || e.getName().equals("etc/vzdump/pct.conf"))) {
                return Optional.empty();
            }
            if (e.getSize() <= 0 || e.getSize() > MAX_CONF) {
                return Optional.empty();
            }
            return rootfsStorage(new String(tar.readNBytes((int) e.getSize()), StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** From a pct.conf text: {@code rootfs: local-lvm:subvol-101-disk-0,size=8G} → local-lvm. */
    static Optional<String> rootfsStorage(String conf) {
        for (String line : conf.split("\n")) {
            if (line.startsWith("[")) {
                break; // snapshot sections follow the current config
            }
            if (line.startsWith("rootfs:")) {
                String v = line.substring("rootfs:".length()).strip();
                int colon = v.indexOf(':');
                if (colon <= 0) {
                    return Optional.empty(); // a bind mount or a bare path: no storage to name
                }
                String storage = v.substring(0, colon);
                return ProxmoxExporterConfig.STORAGE_ID.matcher(storage).matches() ? Optional.of(storage) : Optional.empty();
            }
        }
        return Optional.empty();
    }

    private static InputStream decoder(InputStream raw, Compression c) throws IOException {
        return switch (c) {
            case NONE -> raw;
            case GZIP -> new GZIPInputStream(raw);
            case ZSTD -> new ZstdInputStream(raw);
            default -> null;
        };
    }
}
