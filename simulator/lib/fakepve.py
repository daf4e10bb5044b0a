"""Shared core of the bundled Proxmox VE node simulator.

Every fake tool (vzdump, pvesh, qm, pct, qmrestore) imports this module.
Python 3 standard library only.  See simulator/README.md for the state layout.
"""
import errno
import fcntl
import hashlib
import json
import os
import re
import signal
import struct
import sys
import time

os.umask(0)  # state dirs are shared between root (local runs) and the ssh test user

VMID_RE = re.compile(r'^[1-9][0-9]{2,8}$')
BOOL_TRUE = ('1', 'on', 'yes', 'true')
BOOL_FALSE = ('0', 'off', 'no', 'false')


class Interrupted(BaseException):
    """A TERM/INT/HUP/QUIT/PIPE arrived: Perl's `die "interrupted by signal\n"` (BaseException so
    that no `except Exception` swallows it)."""

    def __init__(self, signum=None):
        BaseException.__init__(self, 'interrupted by signal')
        self.signum = signum


_SIG = {'in_archive_write': False, 'pipe_pending': False, 'installed': False}


def install_signal_handlers():
    """Like pve-manager API2/VZDump.pm and qemu-server restore: INT/TERM/QUIT/HUP/PIPE die with
    'interrupted by signal'. A SIGPIPE caused by our own archive write (EPIPE) is left to the write
    error path; an explicit `kill -PIPE` during such a write is raised right after it."""
    def on_signal(signum, frame):
        raise Interrupted(signum)

    def on_pipe(signum, frame):
        if _SIG['in_archive_write']:
            _SIG['pipe_pending'] = True
            return
        raise Interrupted(signum)

    for s in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT, signal.SIGHUP):
        signal.signal(s, on_signal)
    signal.signal(signal.SIGPIPE, on_pipe)
    _SIG['installed'] = True


def block_signals():
    """Cleanup runs with interrupts disabled (like Perl's local $SIG{...} = 'IGNORE' sections)."""
    signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGINT, signal.SIGTERM, signal.SIGQUIT, signal.SIGHUP,
                                              signal.SIGPIPE])


def archive_write(fd, view):
    """os.write for archive bytes: EPIPE raises BrokenPipeError (not Interrupted)."""
    _SIG['in_archive_write'] = True
    try:
        n = os.write(fd, view)
    except BrokenPipeError:
        _SIG['pipe_pending'] = False
        raise
    finally:
        _SIG['in_archive_write'] = False
    if _SIG['pipe_pending']:
        _SIG['pipe_pending'] = False
        raise Interrupted(signal.SIGPIPE)
    return n


def safe_out(text, stream=None):
    """out() that never fails (cleanup paths write to possibly closed streams)."""
    try:
        out(text, stream)
    except (OSError, ValueError):
        pass


class ToolExit(Exception):
    def __init__(self, code):
        Exception.__init__(self, code)
        self.code = code


# --------------------------------------------------------------------------- output

def out(text, stream=None):
    """Write text (str or bytes) to a binary fd-backed stream without buffering surprises."""
    if stream is None:
        stream = sys.stdout
    data = text.encode('utf-8') if isinstance(text, str) else text
    fd = stream.fileno()
    view = memoryview(data)
    while view:
        try:
            n = os.write(fd, view)
        except InterruptedError:
            continue
        view = view[n:]


def err(text):
    out(text, sys.stderr)


def die(msg, code=255):
    """Perl-style die: message on stderr, non-zero exit."""
    if not msg.endswith('\n'):
        msg += '\n'
    err(msg)
    raise ToolExit(code)


# --------------------------------------------------------------------------- state

class State:
    def __init__(self):
        sd = os.environ.get('PVE_FAKE_STATE')
        if not sd:
            err('fake-pve: environment variable PVE_FAKE_STATE is not set '
                '(it must point at a simulator state directory, see simulator/README.md)\n')
            raise ToolExit(2)
        if not os.path.isdir(sd):
            err("fake-pve: PVE_FAKE_STATE '%s' is not a directory\n" % sd)
            raise ToolExit(2)
        self.dir = os.path.abspath(sd)
        self.cluster = self.read_json('cluster.json', None)
        if self.cluster is None:
            err("fake-pve: '%s/cluster.json' missing - run pve-sim-init first\n" % self.dir)
            raise ToolExit(2)
        self.node = os.environ.get('PVE_FAKE_NODE') or self.cluster.get('local_node', 'pve1')
        os.makedirs(os.path.join(self.dir, 'guests'), exist_ok=True)
        os.makedirs(os.path.join(self.dir, 'locks'), exist_ok=True)

    # -- files
    def path(self, *parts):
        return os.path.join(self.dir, *parts)

    def read_json(self, rel, default):
        try:
            with open(os.path.join(self.dir, rel), 'r', encoding='utf-8') as f:
                return json.load(f)
        except FileNotFoundError:
            return default

    def write_json(self, rel, value):
        write_atomic(os.path.join(self.dir, rel), json.dumps(value, indent=1, sort_keys=True) + '\n')

    def append_jsonl(self, rel, record):
        line = (json.dumps(record, sort_keys=True) + '\n').encode('utf-8')
        fd = os.open(os.path.join(self.dir, rel), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o666)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            os.write(fd, line)
        finally:
            os.close(fd)

    def state_lock(self):
        return FileLock(self.path('locks', 'state.lock'))

    # -- nodes
    def nodes(self):
        return self.cluster.get('nodes', [])

    def node_names(self):
        return [n['name'] for n in self.nodes()]

    # -- guests
    def guest_path(self, vmid):
        return self.path('guests', '%d.json' % int(vmid))

    def guests(self):
        res = []
        gdir = self.path('guests')
        for fn in os.listdir(gdir):
            m = re.match(r'^(\d+)\.json$', fn)
            if not m:
                continue
            g = self.read_json(os.path.join('guests', fn), None)
            if g is not None:
                g.setdefault('vmid', int(m.group(1)))
                res.append(normalize_guest(g))
        res.sort(key=lambda g: int(g['vmid']))
        return res

    def guest(self, vmid):
        g = self.read_json(os.path.join('guests', '%d.json' % int(vmid)), None)
        if g is None:
            return None
        g.setdefault('vmid', int(vmid))
        return normalize_guest(g)

    def save_guest(self, g):
        write_atomic(self.guest_path(g['vmid']), json.dumps(g, indent=1, sort_keys=True) + '\n')

    def delete_guest(self, vmid):
        try:
            os.unlink(self.guest_path(vmid))
        except FileNotFoundError:
            pass

    def update_guest(self, vmid, fn):
        """Read-modify-write under the state lock; fn(guest) mutates; returns guest or None."""
        with self.state_lock():
            g = self.read_json(os.path.join('guests', '%d.json' % int(vmid)), None)
            if g is None:
                return None
            fn(g)
            self.save_guest(g)
            return g

    def pools(self):
        return self.read_json('pools.json', {})

    # -- volumes (disks): guests/<vmid>.json "volumes"; every alloc/free is logged in volumes.jsonl
    def volume_event(self, op, volid, vmid, tool):
        self.append_jsonl('volumes.jsonl', {'op': op, 'volid': volid, 'vmid': int(vmid), 'tool': tool,
                                            'pid': os.getpid(), 'ts': time.time()})

    def storage_anywhere(self, sid):
        """(storage entry of this node or None, True if some node of the cluster has it)."""
        here = self.storage(sid)
        if here is not None:
            return here, True
        st = self.read_json('storage.json', {})
        return None, any(s.get('storage') == sid for l in st.values() for s in l)

    def storages(self, node=None):
        st = self.read_json('storage.json', {})
        return st.get(node or self.node, [])

    def storage(self, sid, node=None):
        for s in self.storages(node):
            if s.get('storage') == sid:
                return s
        return None

    # -- faults
    def fault(self, tool, vmid):
        faults = self.read_json('faults.json', {}) or {}
        t = faults.get(tool) or {}
        f = t.get(str(vmid)) or t.get('*')
        if not f:
            return None
        if 'times' in f:
            # consume one use of a limited fault
            with self.state_lock():
                faults = self.read_json('faults.json', {}) or {}
                t = faults.get(tool) or {}
                key = str(vmid) if str(vmid) in t else '*'
                f = t.get(key)
                if not f:
                    return None
                left = int(f.get('times', 1))
                if left <= 0:
                    return None
                f['times'] = left - 1
                if left - 1 <= 0:
                    del t[key]
                self.write_json('faults.json', faults)
        return f

    def audit(self, tool, argv):
        self.append_jsonl('audit.jsonl', {
            'tool': tool, 'argv': list(argv), 'node': self.node,
            'ts': time.time(), 'pid': os.getpid(),
        })


def normalize_guest(g):
    g['vmid'] = int(g['vmid'])
    g.setdefault('type', 'qemu')
    g.setdefault('status', 'stopped')
    g.setdefault('template', 0)
    g.setdefault('lock', None)
    g.setdefault('protection', 0)
    g.setdefault('storage', 'local-lvm')
    g.setdefault('seed', g['vmid'])
    if 'disk_bytes' not in g:
        g['disk_bytes'] = 8 << 20
    env = os.environ.get('PVE_FAKE_DISK_BYTES_%d' % g['vmid'])
    if env:
        g['disk_bytes'] = int(env)
    return g


def volume_name(storage_entry_type, vmid, typ, n=0):
    """lvm/lvmthin/rbd/zfs-zvol style vm-<id>-disk-<n>; container dirs on dir/zfs/btrfs: subvol-."""
    if typ == 'lxc' and storage_entry_type in ('dir', 'zfspool', 'btrfs', 'nfs', 'cifs', 'cephfs'):
        return 'subvol-%d-disk-%d' % (vmid, n)
    return 'vm-%d-disk-%d' % (vmid, n)


def guest_volumes(g):
    """Volumes a guest owns: explicit "volumes" list, else the one disk its config names."""
    if 'volumes' in g and g['volumes'] is not None:
        return list(g['volumes'])
    if g['type'] == 'qemu':
        return ['%s:vm-%d-disk-0' % (g.get('storage', 'local-lvm'), g['vmid'])]
    return ['%s:subvol-%d-disk-0' % (g.get('storage', 'local-lvm'), g['vmid'])]


def storage_has_content(s, content):
    return content in [c.strip() for c in (s.get('content') or '').split(',')]


def write_atomic(path, text):
    tmp = '%s.tmp.%d' % (path, os.getpid())
    with open(tmp, 'w', encoding='utf-8') as f:
        f.write(text)
    os.chmod(tmp, 0o666)
    os.rename(tmp, path)


class FileLock:
    def __init__(self, path, blocking=True):
        self.path = path
        self.blocking = blocking
        self.fd = None

    def try_acquire(self):
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o666)
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except OSError as e:
            if e.errno in (errno.EAGAIN, errno.EACCES):
                os.close(self.fd)
                self.fd = None
                return False
            raise

    def __enter__(self):
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o666)
        fcntl.flock(self.fd, fcntl.LOCK_EX)
        return self

    def release(self):
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None

    def __exit__(self, *a):
        self.release()


def start_tool(tool):
    """Common prologue: state + audit before anything else. Returns State."""
    st = State()
    st.audit(tool, sys.argv[1:])
    return st


def run_main(fn):
    try:
        code = fn()
    except ToolExit as e:
        code = e.code
    except BrokenPipeError:
        code = 141
    except Interrupted:
        block_signals()
        safe_out('interrupted by signal\n', sys.stderr)
        code = 255
    try:
        sys.stdout.flush()
    except Exception:
        pass
    os._exit(code or 0)


# --------------------------------------------------------------------------- option parsing

class OptSpec:
    """type: bool|int|string|vmid|vmidlist|enum; enum values in `values`."""

    def __init__(self, typ, values=None, minimum=None, maximum=None):
        self.typ = typ
        self.values = values
        self.minimum = minimum
        self.maximum = maximum


class ParseError(Exception):
    pass


def parse_options(argv, schema, usage, arg_names=()):
    """Emulates PVE::JSONSchema::get_options (Getopt::Long, permute).

    Returns (opts dict name->value(str or list), positionals list).  Errors print the
    PVE texts on stderr and raise ToolExit(255).
    """
    opts = {}
    pos = []
    i = 0
    unknown = []
    while i < len(argv):
        a = argv[i]
        if a == '--':
            pos.extend(argv[i + 1:])
            break
        m = re.match(r'^--?([A-Za-z][A-Za-z0-9_-]*)(?:=(.*))?$', a, re.S)
        if not m:
            pos.append(a)
            i += 1
            continue
        name, inline = m.group(1), m.group(2)
        spec = schema.get(name)
        if spec is None:
            unknown.append(name)
            i += 1
            continue
        if spec.typ == 'bool':
            if inline is not None:
                val = inline
            elif i + 1 < len(argv) and not re.match(r'^--?[A-Za-z]', argv[i + 1]):
                val = argv[i + 1]
                i += 1
            else:
                val = '1'
            i += 1
            lv = val.lower()
            if lv in BOOL_TRUE:
                opts[name] = 1
            elif lv in BOOL_FALSE:
                opts[name] = 0
            else:
                die('400 unable to parse boolean option\n' + usage)
            continue
        if inline is not None:
            val = inline
            i += 1
        else:
            if i + 1 >= len(argv):
                err('Option %s requires an argument\n' % name)
                die('400 unable to parse option\n' + usage)
            val = argv[i + 1]
            i += 2
        if spec.typ == 'vmidlist':
            opts.setdefault(name, []).extend([v for v in re.split(r'[,;\s]+', val) if v != ''])
        else:
            opts[name] = val
    if unknown:
        for u in unknown:
            err('Unknown option: %s\n' % u)
        die('400 unable to parse option\n' + usage)
    # verify
    errors = []
    for name, val in sorted(opts.items()):
        spec = schema[name]
        e = verify_value(spec, val)
        if e:
            errors.append('%s: %s' % (name, e))
    if errors:
        die('400 Parameter verification failed.\n' + '\n'.join(errors) + '\n' + usage)
    return opts, pos


def verify_value(spec, val):
    if spec.typ == 'int':
        if not re.match(r'^-?\d+$', str(val)):
            return "type check ('integer') failed - got '%s'" % val
        v = int(val)
        if spec.minimum is not None and v < spec.minimum:
            return 'value must have a minimum value of %d' % spec.minimum
        if spec.maximum is not None and v > spec.maximum:
            return 'value may have a maximum value of %d' % spec.maximum
    elif spec.typ == 'enum':
        if str(val) not in spec.values:
            return "value '%s' does not have a value in the enumeration '%s'" % (val, ', '.join(spec.values))
    elif spec.typ == 'vmid':
        if not VMID_RE.match(str(val)):
            return 'value does not look like a valid VM ID'
    elif spec.typ == 'vmidlist':
        for v in val:
            if not VMID_RE.match(v):
                return "invalid format - value does not look like a valid VM ID"
    return None


# --------------------------------------------------------------------------- formatting

def render_bytes(n, prec=1):
    units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB']
    v = float(n)
    u = 0
    while v >= 1024 and u < len(units) - 1:
        v /= 1024.0
        u += 1
    if u == 0:
        return '%d B' % n
    return '%.*f %s' % (prec, v, units[u])


def render_duration(sec):
    sec = int(sec)
    h, rem = divmod(sec, 3600)
    m, s = divmod(rem, 60)
    if h:
        return '%dh %dm %ds' % (h, m, s)
    if m:
        return '%dm %ds' % (m, s)
    return '%ds' % s


def format_size(n):
    """vzdump's own format_size: KB/MB ints, GB/TB 2 decimals."""
    kb = n / 1024.0
    if kb < 1024:
        return '%dKB' % int(kb)
    mb = kb / 1024.0
    if mb < 1024:
        return '%dMB' % int(mb)
    gb = mb / 1024.0
    if gb < 1024:
        return '%.2fGB' % gb
    return '%.2fTB' % (gb / 1024.0)


def size_suffix(n):
    """Proxmox config size string, e.g. 32G, 8M, 4100K."""
    for unit, shift in (('T', 40), ('G', 30), ('M', 20), ('K', 10)):
        if n >= (1 << shift) and n % (1 << shift) == 0:
            return '%d%s' % (n >> shift, unit)
    if n % 1024 == 0:
        return '%dK' % (n >> 10)
    return '%d' % n


def now():
    v = os.environ.get('PVE_FAKE_NOW')
    if v:
        return int(float(v))
    return int(time.time())


def fmt_time(ts):
    return time.strftime('%Y-%m-%d %H:%M:%S', time.localtime(ts))


# --------------------------------------------------------------------------- guest config text

def mac_for(vmid, seed):
    h = hashlib.md5(('%d:%d' % (vmid, seed)).encode()).digest()
    return 'BC:24:11:%02X:%02X:%02X' % (h[0], h[1], h[2])


def _net_lines(g, default):
    nets = g.get('net')
    if nets is None:
        return ['net0: ' + default]
    return ['%s: %s' % (k, nets[k]) for k in sorted(nets, key=lambda k: int(k[3:]))]


def _common_tail(g, lines, with_lock):
    if g.get('tags'):
        lines.append('tags: %s' % g['tags'])
    if int(g.get('template', 0)):
        lines.append('template: 1')
    if int(g.get('protection', 0)):
        lines.append('protection: 1')
    if with_lock and g.get('lock'):
        lines.insert(0, 'lock: %s' % g['lock'])
    return lines


def qemu_config_lines(g, with_lock=False):
    """Main section of /etc/pve/qemu-server/<vmid>.conf (sorted keys like PVE writes them)."""
    vmid, seed = g['vmid'], int(g['seed'] or 0)
    vols = guest_volumes(g)
    lines = []
    if g.get('agent'):
        lines.append('agent: 1')
    lines += ['boot: order=scsi0;net0', 'cores: %d' % int(g.get('cores', 2)), 'memory: %d' % int(g.get('memory', 2048)),
              'name: %s' % g.get('name', 'vm%d' % vmid)]
    lines += _net_lines(g, 'virtio=%s,bridge=vmbr0' % mac_for(vmid, seed))
    lines.append('ostype: l26')
    if vols:
        lines.append('scsi0: %s,size=%s' % (vols[0], size_suffix(int(g['disk_bytes']))))
    lines += ['scsihw: virtio-scsi-single',
              'smbios1: uuid=%s' % uuid_str(hashlib.md5(('smbios:%d:%d' % (vmid, seed)).encode()).digest())]
    return _common_tail(g, lines, with_lock)


def lxc_config_lines(g, with_lock=False):
    vmid, seed = g['vmid'], int(g['seed'] or 0)
    maxdisk = int(g.get('maxdisk', 8 << 30))
    vols = guest_volumes(g)
    lines = ['arch: amd64', 'cores: %d' % int(g.get('cores', 1)), 'hostname: %s' % g.get('name', 'ct%d' % vmid),
             'memory: %d' % int(g.get('memory', 512))]
    lines += _net_lines(g, 'name=eth0,bridge=vmbr0,hwaddr=%s,ip=dhcp,type=veth' % mac_for(vmid, seed))
    lines.append('ostype: debian')
    if vols:
        lines.append('rootfs: %s,size=%s' % (vols[0], size_suffix(maxdisk)))
    lines += ['swap: 512', 'unprivileged: 1']
    return _common_tail(g, lines, with_lock)


def uuid_str(b16):
    h = b16.hex()
    return '%s-%s-%s-%s-%s' % (h[0:8], h[8:12], h[12:16], h[16:20], h[20:32])


# --------------------------------------------------------------------------- archive generation

CLUSTER = 65536
BLOCKS_PER_EXTENT = 59
EXTENT_HDR = 512
VMA_HEADER_STRUCT = 12288


class Sink:
    """Byte sink with fault hooks; bytes are counted on the uncompressed archive stream."""

    def __init__(self, fd, fault=None, bwlimit_kib=0):
        self.fd = fd
        self.count = 0
        self.fault = fault
        self.limit = None
        self.pause_at = None
        self.slow = None
        self.bw = bwlimit_kib * 1024 if bwlimit_kib else 0
        self.t0 = time.time()
        if fault:
            k = fault.get('kind')
            if k in ('fail_after_bytes', 'kill_after_bytes', 'hang_after_bytes'):
                self.limit = int(fault.get('bytes', 0))
            elif k == 'pause_after_bytes':
                self.pause_at = int(fault.get('bytes', 0))
            elif k == 'slow':
                self.slow = float(fault.get('delay_ms', 100)) / 1000.0
        self.next_slow = 1 << 20
        try:  # bigger pipe buffer = fewer context switches (>1 GB/s to a pipe)
            fcntl.fcntl(fd, 1031, 1 << 20)  # F_SETPIPE_SZ
        except OSError:
            pass

    def write(self, data):
        view = memoryview(data)
        if self.limit is not None and self.count + len(view) >= self.limit:
            n = self.limit - self.count
            self._raw(view[:n])
            self.count += n
            raise FaultTriggered(self.fault)
        if self.pause_at is not None and self.count + len(view) >= self.pause_at:
            n = self.pause_at - self.count
            self._raw(view[:n])
            self.count += n
            view = view[n:]
            self.pause_at = None
            self._pause()
        self._raw(view)
        self.count += len(view)
        if self.slow is not None:
            while self.count >= self.next_slow:
                time.sleep(self.slow)
                self.next_slow += 1 << 20
        if self.bw:
            expect = self.count / float(self.bw)
            el = time.time() - self.t0
            if expect > el:
                time.sleep(expect - el)

    def _pause(self):
        """Lets a test act at an exact point of the stream: the marker file says 'paused here';
        the writer goes on once the test removes it."""
        pause_at_marker(self.fault['marker'], '%d' % self.count)

    def _raw(self, view):
        while view:
            try:
                n = archive_write(self.fd, view)
            except OSError as e:
                if e.errno != errno.ENOSPC:
                    raise
                # a full dump directory: vzdump reports it per guest and removes its .dat (like the real one)
                raise FaultTriggered({'kind': 'enospc', 'message': 'vma_queue_write: write error - No space left on device'})
            view = view[n:]


def pause_at_marker(marker, content=''):
    """Writes `marker` (atomically, with our pid and `content`) and waits until a test removes it.
    Signals still arrive while waiting (a test may TERM the paused tool)."""
    with open(marker + '.tmp', 'w') as f:
        f.write('%d %s\n' % (os.getpid(), content))
    os.chmod(marker + '.tmp', 0o666)
    os.rename(marker + '.tmp', marker)
    deadline = time.time() + 600
    while os.path.exists(marker) and time.time() < deadline:
        time.sleep(0.01)


class FaultTriggered(Exception):
    def __init__(self, fault):
        Exception.__init__(self, fault.get('kind'))
        self.fault = fault


def payload_pool(vmid, seed):
    """59 clusters of pseudo-random bytes derived from (vmid, seed)."""
    return hashlib.shake_256(('fakepve-payload:%d:%d' % (vmid, seed)).encode()).digest(BLOCKS_PER_EXTENT * CLUSTER)


def stamp_cluster(buf, off, vmid, seed, cluster_no):
    # make every 64 KiB cluster unique: counter + vmid + seed in its first 24 bytes
    struct.pack_into('>QQQ', buf, off, cluster_no, vmid, seed & 0xffffffffffffffff)


def vma_header(vmid, seed, disk_bytes, ctime, config_text, devname='drive-scsi0'):
    """Build a VMA header (big-endian fields, blob buffer, md5) as in pve-qemu vma.h."""
    uuid = hashlib.md5(('vma-uuid:%d:%d:%d:%d' % (vmid, seed, disk_bytes, ctime)).encode()).digest()
    blob = bytearray(b'\0')  # offset 0 means "unused"

    def add_blob(data):
        off = len(blob)
        blob.extend(struct.pack('<H', len(data)))
        blob.extend(data)
        return off

    cfg_name = add_blob(b'qemu-server.conf\0')
    cfg_data = add_blob(config_text.encode('utf-8'))
    dev_name = add_blob(devname.encode() + b'\0')
    header_size = VMA_HEADER_STRUCT + len(blob)
    header_size = (header_size + 511) // 512 * 512
    h = bytearray(header_size)
    h[0:4] = b'VMA\0'
    struct.pack_into('>I', h, 4, 1)
    h[8:24] = uuid
    struct.pack_into('>q', h, 24, ctime)
    struct.pack_into('>III', h, 48, VMA_HEADER_STRUCT, len(blob), header_size)
    struct.pack_into('>I', h, 2044, cfg_name)            # config_names[0]
    struct.pack_into('>I', h, 2044 + 1024, cfg_data)     # config_data[0]
    # dev_info[1] (dev 0 unused): u64 size, u32 devname_ptr, u32 reserved, 16 reserved
    struct.pack_into('>QI', h, 4096 + 32 * 1, disk_bytes, dev_name)
    h[VMA_HEADER_STRUCT:VMA_HEADER_STRUCT + len(blob)] = blob
    h[32:48] = hashlib.md5(bytes(h)).digest()
    return bytes(h), uuid


def write_vma(sink, g, ctime, progress=None):
    vmid, seed, disk = g['vmid'], int(g['seed']), int(g['disk_bytes'])
    cfg = '\n'.join(qemu_config_lines(g)) + '\n' + \
        '#qmdump#map:scsi0:drive-scsi0:%s:raw:\n' % g.get('storage', 'local-lvm')
    hdr, uuid = vma_header(vmid, seed, disk, ctime, cfg)
    sink.write(hdr)
    pool = payload_pool(vmid, seed)
    buf = bytearray(EXTENT_HDR + len(pool))
    buf[EXTENT_HDR:] = pool
    clusters = (disk + CLUSTER - 1) // CLUSTER
    c = 0
    while c < clusters:
        n = min(BLOCKS_PER_EXTENT, clusters - c)
        eh = bytearray(EXTENT_HDR)
        eh[0:4] = b'VMAE'
        struct.pack_into('>HH', eh, 4, 0, n * 16)
        eh[8:24] = uuid
        for i in range(n):
            struct.pack_into('>Q', eh, 40 + 8 * i, (0xffff << 48) | (1 << 32) | (c + i))
            stamp_cluster(buf, EXTENT_HDR + i * CLUSTER, vmid, seed, c + i)
        eh[24:40] = hashlib.md5(bytes(eh)).digest()
        buf[0:EXTENT_HDR] = eh
        sink.write(memoryview(buf)[:EXTENT_HDR + n * CLUSTER])
        c += n
        if progress:
            progress(min(c * CLUSTER, disk), disk)


def tar_header(name, size, mtime, typeflag=b'0', mode=0o644):
    h = bytearray(512)
    nb = name.encode('utf-8')
    if len(nb) > 100:
        raise ValueError('name too long')
    h[0:len(nb)] = nb
    h[100:108] = ('%07o\0' % mode).encode()
    h[108:116] = b'0000000\0'
    h[116:124] = b'0000000\0'
    if size < 0o77777777777:
        h[124:136] = ('%011o\0' % size).encode()
    else:  # GNU base-256
        h[124:136] = b'\x80' + size.to_bytes(11, 'big')
    h[136:148] = ('%011o\0' % mtime).encode()
    h[148:156] = b'        '
    h[156:157] = typeflag
    h[257:265] = b'ustar  \0'
    h[265:269] = b'root'
    h[297:301] = b'root'
    chk = sum(h)
    h[148:156] = ('%06o\0 ' % chk).encode()
    return bytes(h)


def pad512(n):
    return (512 - n % 512) % 512


def write_lxc_tar(sink, g, mtime, progress=None):
    """GNU tar; first member ./etc/vzdump/pct.conf, then a small tree and one big data file."""
    vmid, seed, disk = g['vmid'], int(g['seed']), int(g['disk_bytes'])
    total = 0

    def put(b):
        nonlocal total
        sink.write(b)
        total += len(b)

    conf = ('\n'.join(lxc_config_lines(g)) + '\n').encode()
    put(tar_header('./etc/vzdump/pct.conf', len(conf), mtime))
    put(conf + b'\0' * pad512(len(conf)))
    put(tar_header('./', 0, mtime, b'5', 0o755))
    put(tar_header('./etc/', 0, mtime, b'5', 0o755))
    hn = (g.get('name', 'ct%d' % vmid) + '\n').encode()
    put(tar_header('./etc/hostname', len(hn), mtime))
    put(hn + b'\0' * pad512(len(hn)))
    put(tar_header('./var/', 0, mtime, b'5', 0o755))
    put(tar_header('./var/lib/', 0, mtime, b'5', 0o755))
    put(tar_header('./var/lib/pve-sim-data.bin', disk, mtime))
    pool = bytearray(payload_pool(vmid, seed))
    left = disk
    c = 0
    while left > 0:
        n = min(len(pool), left)
        for i in range(0, n, CLUSTER):
            stamp_cluster(pool, i, vmid, seed, c)
            c += 1
        put(memoryview(pool)[:n])
        left -= n
        if progress:
            progress(disk - left, disk)
    put(b'\0' * pad512(disk))
    put(b'\0' * 1024)
    rec = 10240
    put(b'\0' * ((rec - total % rec) % rec))
    return total


# pve-storage PVE::Storage::Plugin::COMMON_TAR_FLAGS + pve-container VZDump/LXC.pm archive()
COMMON_TAR_FLAGS = ['--one-file-system', '-p', '--sparse', '--numeric-owner', '--acls', '--xattrs',
                    '--xattrs-include=user.*', '--xattrs-include=security.capability',
                    '--warning=no-file-ignored', '--warning=no-xattr-write']


def lxc_tar_command(confdir, rootdir, mtime):
    """`tar cpf - --totals <COMMON_TAR_FLAGS> --one-file-system --warning=no-file-ignored
    --directory=<tmpdir> ./etc/vzdump/pct.conf --directory=<snapdir> ./` as pve-container runs it,
    plus (simulator only) flags that make the output byte-stable: name order, owner 0, and pinned
    pax atime/ctime records (real archives carry the files' real atime/ctime there)."""
    return (['tar', 'cpf', '-', '--totals'] + COMMON_TAR_FLAGS + ['--one-file-system', '--warning=no-file-ignored'] +
            ['--sort=name', '--owner=0', '--group=0', '--mtime=@%d' % mtime,
             '--pax-option=atime:=%d,ctime:=%d' % (mtime, mtime)] +
            ['--directory=%s' % confdir, './etc/vzdump/pct.conf', '--directory=%s' % rootdir, './'])


def build_lxc_tree(base, g, mtime):
    """Writes the CT's files below `base` (conf/ = vzdump tmpdir, root/ = the 'vzdump' snapshot)."""
    vmid, seed, disk = g['vmid'], int(g['seed'] or 0), int(g['disk_bytes'])
    conf = os.path.join(base, 'conf')
    root = os.path.join(base, 'root')
    for d in (os.path.join(conf, 'etc', 'vzdump'), os.path.join(root, 'etc'), os.path.join(root, 'var', 'lib')):
        os.makedirs(d, exist_ok=True)
    with open(os.path.join(conf, 'etc', 'vzdump', 'pct.conf'), 'w') as f:
        f.write('\n'.join(lxc_config_lines(g)) + '\n')
    with open(os.path.join(root, 'etc', 'hostname'), 'w') as f:
        f.write(g.get('name', 'ct%d' % vmid) + '\n')
    pool = bytearray(payload_pool(vmid, seed))
    with open(os.path.join(root, 'var', 'lib', 'pve-sim-data.bin'), 'wb') as f:
        left, c = disk, 0
        while left > 0:
            n = min(len(pool), left)
            for i in range(0, n, CLUSTER):
                stamp_cluster(pool, i, vmid, seed, c)
                c += 1
            f.write(memoryview(pool)[:n])
            left -= n
    for dirpath, dirnames, filenames in os.walk(base):
        for n in filenames:
            os.chmod(os.path.join(dirpath, n), 0o644)
            os.utime(os.path.join(dirpath, n), (mtime, mtime))
        os.chmod(dirpath, 0o755)
    for dirpath, dirnames, filenames in os.walk(base, topdown=False):
        os.utime(dirpath, (mtime, mtime))
    return conf, root


COMPRESSORS = {
    # compress value -> (ext, argv builder)
    'lzo': ('lzo', lambda o: ['lzop', '-c']),
    'gzip': ('gz', lambda o: (['pigz', '-p', str(o), '--rsyncable', '-c'] if o else ['gzip', '--rsyncable', '-c'])),
    'zstd': ('zst', lambda o: ['zstd', '--threads=%d' % o, '-q', '-c']),
}


def compressor_for(compress, zstd_threads=1, pigz=0):
    if compress in ('0', None, ''):
        return None, None
    if compress == '1':
        compress = 'lzo'
    ext, fn = COMPRESSORS[compress]
    if compress == 'zstd':
        t = zstd_threads
        if t == 0:
            t = (os.cpu_count() + 1) // 2
        return ext, fn(t)
    if compress == 'gzip':
        p = pigz
        if p == 1:
            p = (os.cpu_count() + 1) // 2
        return ext, fn(p)
    return ext, fn(0)


DECOMPRESS_BY_EXT = {
    'gz': ['zcat'],
    'lzo': ['lzop', '-d', '-c'],
    'zst': ['zstd', '-q', '-d', '-c'],
    'bz2': ['bzcat', '-q'],
}

BACKUP_EXT_RE = r'\.(tgz|(?:tar|vma)(?:\.(gz|lzo|zst|bz2))?)'
ARCHIVE_INFO_RE = re.compile(r'^(vzdump-(lxc|openvz|qemu)-.+' + BACKUP_EXT_RE + r')$')


def parse_vma_header(hdr):
    """Returns dict(config=text, devices=[(id,name,size)], ctime) from a full header."""
    res = {'config': None, 'devices': [], 'ctime': struct.unpack_from('>q', hdr, 24)[0]}
    boff, bsize, _ = struct.unpack_from('>III', hdr, 48)
    blob = hdr[boff:boff + bsize]

    def get_blob(off):
        if off == 0 or off + 2 > len(blob):
            return None
        ln = struct.unpack_from('<H', blob, off)[0]
        return bytes(blob[off + 2:off + 2 + ln])

    for i in range(256):
        n = struct.unpack_from('>I', hdr, 2044 + 4 * i)[0]
        d = struct.unpack_from('>I', hdr, 2044 + 1024 + 4 * i)[0]
        if n:
            name = (get_blob(n) or b'').rstrip(b'\0').decode('utf-8', 'replace')
            data = (get_blob(d) or b'').decode('utf-8', 'replace')
            if name == 'qemu-server.conf' and res['config'] is None:
                res['config'] = data
    for i in range(1, 256):
        size, ptr = struct.unpack_from('>QI', hdr, 4096 + 32 * i)
        if size:
            nm = (get_blob(ptr) or b'').rstrip(b'\0').decode('utf-8', 'replace')
            res['devices'].append((i, nm, size))
    return res
