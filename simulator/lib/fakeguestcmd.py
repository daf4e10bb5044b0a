"""qm / pct status|start|stop|shutdown|list for the simulator (facts section 5)."""
import os
import sys

import re

from fakepve import (die, out, ToolExit, VMID_RE, parse_options, OptSpec, guest_volumes, qemu_config_lines,
                     lxc_config_lines, mac_for)


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
    if cmd == 'guest' and typ == 'qemu':
        return _guest_cmd(st, rest)
    if cmd in ('set', 'config', 'destroy'):
        return _config_cmd(st, tool, typ, cmd, rest)
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
    shutdown = cmd == 'shutdown'
    force_stop = opts.get('forceStop') or opts.get('force-stop')
    if typ == 'qemu':
        if g is None:
            die("unable to find configuration file for VM %d on node '%s'" % (vmid, st.node))
        if g['status'] != 'running':
            return 0
        if g.get('lock') and not opts.get('skiplock'):
            die('VM is locked (%s)' % g['lock'])
        if shutdown and int(g.get('ignore_acpi', 0)) and not force_stop:
            # _do_vm_stop: the guest ignores system_powerdown / has no agent answering guest-shutdown
            _note_shutdown(st, vmid, 'timeout')
            die('VM quit/powerdown failed - got timeout')
        _set_status(st, vmid, 'stopped')
        return 0
    if g is None or g['status'] != 'running':
        die('CT %d not running' % vmid)
    if g.get('lock') and not opts.get('skiplock'):
        die('CT is locked (%s)' % g['lock'])
    if shutdown and int(g.get('ignore_acpi', 0)) and not force_stop:
        _note_shutdown(st, vmid, 'timeout')
        die('container did not stop')
    _set_status(st, vmid, 'stopped')
    return 0


def _note_shutdown(st, vmid, what):
    st.update_guest(vmid, lambda x: x.__setitem__('last_shutdown', what))


def _vmid_arg(pos, usage):
    if len(pos) < 1:
        die('400 not enough arguments\n' + usage)
    if not VMID_RE.match(pos[0]):
        die('400 Parameter verification failed.\nvmid: value does not look like a valid VM ID\n' + usage)
    return int(pos[0])


def _guest_cmd(st, argv):
    """qm guest cmd <vmid> <command> (qemu-server API2/Qemu/Agent.pm, QemuServer/Agent.pm)."""
    usage = 'qm guest cmd <vmid> <command>\n'
    if not argv or argv[0] != 'cmd':
        die("ERROR: unknown command 'qm guest %s'\nUSAGE: qm <COMMAND> [ARGS] [OPTIONS]" % (argv[0] if argv else ''))
    opts, pos = parse_options(argv[1:], {}, usage)
    vmid = _vmid_arg(pos, usage)
    if len(pos) != 2:
        die('400 not enough arguments\n' + usage)
    g = _local_guest(st, vmid, 'qemu')
    if g is None:
        die(_conf_missing(st, vmid, 'qemu'))
    if not int(g.get('agent', 0)):
        die('No QEMU guest agent configured')
    if g['status'] != 'running':
        die('VM %d is not running' % vmid)
    if int(g.get('never_boots', 0)) or int(g.get('agent_down', 0)):
        die('QEMU guest agent is not running')
    if pos[1] not in ('ping', 'info', 'get-osinfo', 'get-host-name', 'network-get-interfaces', 'fsfreeze-status'):
        die("400 Parameter verification failed.\ncommand: value '%s' does not have a value in the enumeration" % pos[1])
    st.update_guest(vmid, lambda x: x.__setitem__('agent_pings', int(x.get('agent_pings', 0)) + 1))
    if pos[1] == 'get-host-name':
        out('{\n   "host-name" : "%s"\n}\n' % g.get('name', ''))
    return 0


NET_RE = re.compile(r'^net(\d+)$')


def _config_cmd(st, tool, typ, cmd, argv):
    what = 'VM' if typ == 'qemu' else 'CT'
    usage = '%s %s <vmid> [OPTIONS]\n' % (tool, cmd)
    schema = {'skiplock': OptSpec('bool'), 'purge': OptSpec('bool'), 'destroy-unreferenced-disks': OptSpec('bool'),
              'force': OptSpec('bool'), 'current': OptSpec('bool'), 'snapshot': OptSpec('string'),
              'tags': OptSpec('string'), 'name': OptSpec('string'), 'hostname': OptSpec('string'),
              'agent': OptSpec('string'), 'delete': OptSpec('string'), 'description': OptSpec('string'),
              'onboot': OptSpec('bool'), 'protection': OptSpec('bool')}
    for i in range(32):
        schema['net%d' % i] = OptSpec('string')
    opts, pos = parse_options(argv, schema, usage)
    vmid = _vmid_arg(pos, usage)
    g = _local_guest(st, vmid, typ)
    if g is None:
        die(_conf_missing(st, vmid, typ))
    if cmd == 'config':
        lines = (qemu_config_lines if typ == 'qemu' else lxc_config_lines)(g, with_lock=True)
        out(''.join('%s\n' % l for l in sorted(lines)))
        return 0
    if cmd == 'destroy':
        prot = "can't remove %s %d - protection mode enabled" % (what, vmid)
        if typ == 'qemu':
            if int(g.get('protection', 0)):
                die(prot)
            if g['status'] == 'running':
                die('VM %d is running - destroy failed' % vmid)
            if g.get('lock') and not opts.get('skiplock'):
                die('VM is locked (%s)' % g['lock'])  # destroy_vm, in-task
        else:
            if int(g.get('protection', 0)):
                die(prot)
            if g.get('lock'):
                die('CT is locked (%s)' % g['lock'])
            if g['status'] == 'running' and not opts.get('force'):
                die('unable to destroy CT %d - container is running' % vmid)
        for v in guest_volumes(g):
            st.volume_event('free', v, vmid, '%s destroy' % tool)
        st.delete_guest(vmid)
        st.append_jsonl('destroyed.jsonl', {'vmid': vmid, 'type': typ, 'purge': bool(opts.get('purge')),
                                            'volumes': guest_volumes(g), 'tags': g.get('tags'),
                                            'pool': g.get('pool')})
        return 0
    # set (update_vm / update_pct_config): refuses a locked config
    if g.get('lock') and not opts.get('skiplock'):
        die('%s is locked (%s)' % (what, g['lock']))

    def apply(x):
        nets = x.get('net')
        if nets is None:
            seed = int(x.get('seed') or 0)
            nets = {'net0': ('virtio=%s,bridge=vmbr0' if typ == 'qemu' else
                             'name=eth0,bridge=vmbr0,hwaddr=%s,ip=dhcp,type=veth') % mac_for(vmid, seed)}
        for k, v in opts.items():
            if NET_RE.match(k):
                nets[k] = v
            elif k == 'tags':
                x['tags'] = ';'.join(t for t in re.split(r'[;, ]+', v) if t)
            elif k in ('name', 'hostname'):
                x['name'] = v
            elif k == 'agent':
                x['agent'] = 1 if re.match(r'^(1|on|yes|true|enabled=1)', v) else 0
            elif k in ('protection', 'onboot'):
                x[k] = int(v)
            elif k == 'description':
                x['description'] = v
        for d in re.split(r'[,; ]+', opts.get('delete', '')):
            if NET_RE.match(d):
                nets.pop(d, None)
            elif d in ('tags', 'agent', 'description'):
                x.pop(d, None)
        x['net'] = nets
    st.update_guest(vmid, apply)
    return 0
