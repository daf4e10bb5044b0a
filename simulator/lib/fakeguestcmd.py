"""qm / pct status|start|stop|shutdown|list for the simulator (facts section 5)."""
import os
import sys

from fakepve import die, out, ToolExit, VMID_RE, parse_options, OptSpec


def _local_guest(st, vmid, typ):
    g = st.guest(vmid)
    if g is None or g['node'] != st.node or g['type'] != typ:
        return None
    return g


def _conf_missing(st, vmid, typ):
    return "Configuration file 'nodes/%s/%s/%d.conf' does not exist" % (
        st.node, 'qemu-server' if typ == 'qemu' else 'lxc', vmid)


def _set_status(st, vmid, status):
    st.update_guest(vmid, lambda x: x.__setitem__('status', status))


def guest_command(st, tool, argv):
    typ = 'qemu' if tool == 'qm' else 'lxc'
    usage_cmd = tool
    if not argv:
        die('ERROR: no command specified\nUSAGE: %s <COMMAND> [ARGS] [OPTIONS]' % tool)
    cmd, rest = argv[0], argv[1:]
    if cmd == 'list':
        opts, pos = parse_options(rest, {'full': OptSpec('bool')}, '%s list [OPTIONS]\n' % tool)
        guests = [g for g in st.guests() if g['node'] == st.node and g['type'] == typ]
        if not guests:
            return 0
        if typ == 'qemu':
            fmt = '%10s %-20s %-10s %-10s %12s %-10s\n'
            out(fmt % ('VMID', 'NAME', 'STATUS', 'MEM(MB)', 'BOOTDISK(GB)', 'PID'))
            for g in guests:
                running = g['status'] == 'running'
                out('%10s %-20s %-10s %-10s %12.2f %-10s\n' % (
                    g['vmid'], g.get('name', ''), g['status'], g.get('memory', 2048),
                    int(g['disk_bytes']) / float(1 << 30), (10000 + g['vmid']) if running else 0))
        else:
            fmt = '%-10s %-10s %-12s %-20s\n'
            out(fmt % ('VMID', 'Status', 'Lock', 'Name'))
            for g in guests:
                out(fmt % (g['vmid'], g['status'], g.get('lock') or '', g.get('name', '')))
        return 0
    if cmd not in ('status', 'start', 'stop', 'shutdown'):
        die("ERROR: unknown command '%s %s'\nUSAGE: %s <COMMAND> [ARGS] [OPTIONS]" % (tool, cmd, tool))
    schema = {'verbose': OptSpec('bool'), 'skiplock': OptSpec('bool'), 'timeout': OptSpec('int', minimum=0),
              'forceStop': OptSpec('bool'), 'force-stop': OptSpec('bool'), 'keepActive': OptSpec('bool'),
              'overrule-shutdown': OptSpec('bool'), 'debug': OptSpec('bool')}
    usage = '%s %s <vmid> [OPTIONS]\n' % (usage_cmd, cmd)
    opts, pos = parse_options(rest, schema, usage)
    if len(pos) < 1:
        die('400 not enough arguments\n' + usage)
    if len(pos) > 1:
        die('400 too many arguments\n' + usage)
    if not VMID_RE.match(pos[0]):
        die('400 Parameter verification failed.\nvmid: value does not look like a valid VM ID\n' + usage)
    vmid = int(pos[0])
    g = _local_guest(st, vmid, typ)
    what = 'VM' if typ == 'qemu' else 'CT'
    if cmd == 'status':
        if g is None:
            die(_conf_missing(st, vmid, typ))
        status = g['status']
        if typ == 'qemu' and g.get('qmpstatus') and status == 'running':
            status = g['qmpstatus']
        out('status: %s\n' % status)
        if opts.get('verbose'):
            out('name: %s\nvmid: %d\n' % (g.get('name', ''), vmid))
        return 0
    if cmd == 'start':
        if g is None:
            die(_conf_missing(st, vmid, typ))
        if typ == 'lxc' and g['status'] == 'running':
            die('CT %d already running' % vmid)
        if int(g.get('template', 0)):
            die("you can't start a vm if it's a template" if typ == 'qemu' else "you can't start a CT if it's a template")
        if g.get('lock') and not opts.get('skiplock'):
            die('%s is locked (%s)' % (what, g['lock']))
        if g['status'] == 'running':
            die('VM %d already running' % vmid)
        _set_status(st, vmid, 'running')
        return 0
    # stop / shutdown
    if typ == 'qemu':
        if g is None:
            die("unable to find configuration file for VM %d on node '%s'" % (vmid, st.node))
        if g.get('lock') and not opts.get('skiplock'):
            die('VM is locked (%s)' % g['lock'])
        if g['status'] != 'running':
            return 0
        _set_status(st, vmid, 'stopped')
        return 0
    if g is None or g['status'] != 'running':
        die('CT %d not running' % vmid)
    if g.get('lock') and not opts.get('skiplock'):
        die('CT is locked (%s)' % g['lock'])
    _set_status(st, vmid, 'stopped')
    return 0
