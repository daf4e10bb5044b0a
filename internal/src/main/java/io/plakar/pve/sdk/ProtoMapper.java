package io.plakar.pve.sdk;

import com.google.protobuf.Timestamp;
import io.plakar.pve.proto.connectors.ExtendedAttributeType;

import java.time.Instant;

/** Converts between the SDK's records and the wire messages. */
final class ProtoMapper {
    private ProtoMapper() {
    }

    static io.plakar.pve.proto.connectors.Record toProto(Record r) {
        io.plakar.pve.proto.connectors.Record.Builder b = io.plakar.pve.proto.connectors.Record.newBuilder()
                .setPathname(r.pathname())
                .setHasReader(r.hasReader())
                .setError(r.error())
                .setTarget(r.target())
                .setIsXattr(r.xattr())
                .setXattrName(r.xattrName())
                .setXattrTypeValue(r.xattrType());
        if (r.fileInfo() != null) {
            b.setFileInfo(toProto(r.fileInfo()));
        }
        return b.build();
    }

    static io.plakar.pve.proto.connectors.FileInfo toProto(FileInfo f) {
        Instant t = f.modTime();
        return io.plakar.pve.proto.connectors.FileInfo.newBuilder()
                .setName(f.name())
                .setSize(f.size())
                .setMode(f.mode().wire())
                .setModTime(Timestamp.newBuilder().setSeconds(t.getEpochSecond()).setNanos(t.getNano()))
                .setDev(f.dev()).setIno(f.ino()).setUid(f.uid()).setGid(f.gid())
                .setNlink(f.nlink())
                .setUsername(f.username()).setGroupname(f.groupname())
                .setFlags(f.flags())
                .build();
    }

    static Record fromProto(io.plakar.pve.proto.connectors.Record r) {
        FileInfo info = r.hasFileInfo() ? fromProto(r.getFileInfo()) : null;
        if (info == null && r.getError().isEmpty() && !r.getIsXattr()) {
            // acknowledgements may drop file info; keep the record usable for matching by path
            info = FileInfo.regular(baseName(r.getPathname()), FileInfo.UNKNOWN_SIZE, 0, Instant.EPOCH);
        }
        int xattrType = r.getXattrType() == ExtendedAttributeType.UNRECOGNIZED ? 0 : r.getXattrTypeValue();
        return new Record(r.getPathname(), info, r.getError(), r.getTarget(), r.getIsXattr(), r.getXattrName(), xattrType);
    }

    static FileInfo fromProto(io.plakar.pve.proto.connectors.FileInfo f) {
        Timestamp t = f.getModTime();
        return new FileInfo(f.getName(), f.getSize(), new FileMode(f.getMode()),
                Instant.ofEpochSecond(t.getSeconds(), t.getNanos()),
                f.getDev(), f.getIno(), f.getUid(), f.getGid(), f.getNlink(),
                f.getUsername(), f.getGroupname(), f.getFlags());
    }

    static String baseName(String path) {
        int i = path.lastIndexOf('/');
        return i < 0 ? path : path.substring(i + 1);
    }
}
