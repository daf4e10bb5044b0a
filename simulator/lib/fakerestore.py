"""Restore side of the simulator: shared by qmrestore and `pct restore`."""
import hashlib
import os
import re
import struct
import subprocess
import time

from fakepve import (FileLock, ToolExit, DECOMPRESS_BY_EXT, parse_vma_header, out, err, pause_at_marker)
import signal


class ReadFault(Exception):
    def __init__(self, fault):
        Exception.__init__(self, 'fault')
        self.fault = fault


class ShortRead(Exception):
    pass


class Reader:
    """Reads the uncompressed archive stream, hashing every byte and honouring faults/bwlimit."""

    def __init__(self, fd, fault=None, bwlimit_kib=0):
        self.fd = fd
        self.sha = hashlib.sha256()
        self.count = 0
        self.limit = None
        self.fault = fault
        self.pause_at = None
        self.kill_at = None
        k = fault.get('kind') if fault else None
        if k == 'fail_after_bytes':
            self.limit = int(fault.get('bytes', 0))
        elif k == 'pause_after_bytes':
            self.pause_at = int(fault.get('bytes', 0))
        elif k == 'kill_after_bytes':
            self.kill_at = int(fault.get('bytes', 0))
        self.bw = bwlimit_kib * 1024 if bwlimit_kib else 0
        self.t0 = time.time()
        self.eof = False

    def read(self, n):
        if self.limit is not None and self.count >= self.limit:
            raise ReadFault(self.fault)
        if self.limit is not None:
            n = min(n, self.limit - self.count)
        for at in (self.pause_at, self.kill_at):
            if at is not None:
                if self.count >= at:
                    if at == self.pause_at:
                        self.pause_at = None
                        pause_at_marker(self.fault['marker'], '%d' % self.count)
                    else:
                        os.kill(os.getpid(), signal.SIGKILL)
                        time.sleep(60)
                else:
                    n = min(n, at - self.count)
        while True:
            try:
                b = os.read(self.fd, n)
                break
            except InterruptedError:
                continue
        if not b:
            self.eof = True
            return b
        self.sha.update(b)
        self.count += len(b)
        if self.bw:
            expect = self.count / float(self.bw)
            el = time.time() - self.t0
            if expect > el:
                time.sleep(expect - el)
        return b

    def readexact(self, n, keep=True):
        parts = []
        left = n
        while left > 0:
            b = self.read(min(left, 1 << 20))
            if not b:
                raise ShortRead('short read: got %d of %d bytes' % (n - left, n))
            if keep:
                parts.append(b)
            left -= len(b)
        return b''.join(parts) if keep else None

    def drain(self):
        while self.read(1 << 20):
            pass


def open_archive(path, ext_cmd_override=None):
    """Returns (fd, proc or None, pipeline description) for a file archive; decompressor by NAME."""
    m = re.search(r'\.(gz|lzo|zst|bz2)$', path)
    if m:
        cmd = DECOMPRESS_BY_EXT[m.group(1)] + [path]
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, close_fds=True)
        return proc.stdout.fileno(), proc, ' '.join(cmd)
    fd = os.open(path, os.O_RDONLY)
    return fd, None, None


def read_vma(reader, on_header=None, progress=None):
    """Parse a VMA stream (header + extents). Returns header info dict."""
    try:
        magic = reader.readexact(4)
    except ShortRead:
        raise BadMagic()
    if magic != b'VMA\0':
        raise BadMagic()
    first = magic + reader.readexact(12284)
    hsize = struct.unpack_from('>I', first, 56)[0]
    hdr = first
    if hsize > 12288:
        hdr = first + reader.readexact(hsize - 12288)
    info = parse_vma_header(hdr)
    total = sum(d[2] for d in info['devices']) or 1
    if on_header:
        on_header(info)
    done = 0
    while True:
        eh = reader.read(512)
        if not eh:
            break
        if len(eh) < 512:
            eh += reader.readexact(512 - len(eh))
        if eh[0:4] != b'VMAE':
            if eh == b'\0' * 512:
                continue
            raise ShortRead('wrong vma extent header magic')
        block_count = struct.unpack_from('>H', eh, 6)[0]
        reader.readexact(block_count * 4096, keep=False)
        done += block_count * 4096
        if progress:
            progress(min(done, total), total)
    info['data_bytes'] = done
    return info


class BadMagic(Exception):
    pass


def parse_tar_size(field):
    if field[0] & 0x80:
        return int.from_bytes(field[1:], 'big')
    s = field.split(b'\0', 1)[0].strip()
    return int(s, 8) if s else 0


def _pax_records(data):
    """'<len> key=value\n' records of a pax extended header."""
    res = {}
    i = 0
    while i < len(data):
        sp = data.find(b' ', i)
        if sp < 0:
            break
        try:
            ln = int(data[i:sp])
        except ValueError:
            break
        if ln <= 0:
            break
        rec = data[sp + 1:i + ln - 1]
        k, _, v = rec.partition(b'=')
        res[k.decode('utf-8', 'replace')] = v.decode('utf-8', 'replace')
        i += ln
    return res


def read_tar(reader, stop_after_config=False):
    """Parse a tar stream (ustar/GNU/pax: follows 'x'/'g' extended headers and GNU 'L' long names);
    returns dict(config=text or None, first=name of the first real member, members=[(name,size)],
    pax=True if extended headers were seen)."""
    res = {'config': None, 'first': None, 'members': [], 'pax': False}
    longname = None
    pax = {}
    gpax = {}
    while True:
        h = reader.read(512)
        if not h:
            break
        if len(h) < 512:
            h += reader.readexact(512 - len(h))
        if h == b'\0' * 512:
            if not stop_after_config:
                reader.drain()
            break
        name = h[0:100].split(b'\0', 1)[0].decode('utf-8', 'replace')
        if h[257:262] == b'ustar' and h[345:500].strip(b'\0') and h[263:265] == b'00':
            prefix = h[345:500].split(b'\0', 1)[0].decode('utf-8', 'replace')
            name = prefix + '/' + name
        size = parse_tar_size(h[124:136])
        typ = h[156:157]
        pad = (512 - size % 512) % 512
        if typ in (b'x', b'g'):
            recs = _pax_records(reader.readexact(size + pad)[:size])
            res['pax'] = True
            (pax if typ == b'x' else gpax).update(recs)
            continue
        if typ == b'L':
            longname = reader.readexact(size + pad)[:size].split(b'\0', 1)[0].decode()
            continue
        if longname:
            name, longname = longname, None
        if 'path' in pax:
            name = pax['path']
        elif 'path' in gpax:
            name = gpax['path']
        if 'size' in pax:
            size = int(pax['size'])
            pad = (512 - size % 512) % 512
        pax = {}
        if res['first'] is None:
            res['first'] = name
        res['members'].append((name, size))
        if name in ('./etc/vzdump/pct.conf', './etc/vzdump/vps.conf') and res['config'] is None:
            res['config'] = reader.readexact(size).decode('utf-8', 'replace')
            reader.readexact(pad, keep=False)
            if stop_after_config:
                break
        else:
            reader.readexact(size + pad, keep=False)
    return res


def free_volumes(st, vmid, tool, volids, freed_key='freed_volumes'):
    """vdisk_free: volumes leave the guest's "volumes" and are logged as freed."""
    volids = list(volids)
    if not volids:
        return

    def fix(x):
        x['volumes'] = [v for v in (x.get('volumes') or []) if v not in volids]
        x[freed_key] = (x.get(freed_key) or []) + volids
    st.update_guest(vmid, fix)
    for v in volids:
        st.volume_event('free', v, vmid, tool)


def alloc_volume(st, vmid, tool, volid):
    def fix(x):
        x['volumes'] = (x.get('volumes') or []) + [volid]
    st.update_guest(vmid, fix)
    st.volume_event('alloc', volid, vmid, tool)


def parse_conf(text):
    cfg = {}
    for ln in (text or '').splitlines():
        if ln.startswith('['):
            break
        m = re.match(r'^([a-z][a-z0-9_-]*):\s*(.*)$', ln)
        if m:
            cfg[m.group(1)] = m.group(2)
    return cfg


def size_to_bytes(s):
    m = re.match(r'^(\d+(?:\.\d+)?)([KMGT]?)$', s or '')
    if not m:
        return None
    mult = {'': 1, 'K': 1 << 10, 'M': 1 << 20, 'G': 1 << 30, 'T': 1 << 40}[m.group(2)]
    return int(float(m.group(1)) * mult)


def record(st, tool, vmid, archive, reader, options, ok, error=None):
    rec = {'tool': tool, 'vmid': vmid, 'archive': archive,
           'bytes_read': reader.count if reader else 0,
           'sha256_uncompressed': reader.sha.hexdigest() if reader else None,
           'options': options, 'ok': ok, 'ts': time.time()}
    if error:
        rec['error'] = error
    st.append_jsonl('restores.jsonl', rec)


def resolve_volid(st, archive):
    """`<storage>:backup/<file>` -> path inside that dir storage's dump dir (else unchanged)."""
    m = re.match(r'^([A-Za-z][A-Za-z0-9\-_.]*):backup/(.+)$', archive)
    if not m:
        return archive
    s = st.storage(m.group(1))
    if s is None:
        return archive
    return os.path.join(s.get('path', st.path('storage', m.group(1))), 'dump', m.group(2))
