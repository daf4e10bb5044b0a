#!/bin/sh
# ForceCommand of the loopback test sshd.  $1 = per-instance env file written by start-sshd.sh
# (PVE_SIM_BIN, PVE_FAKE_STATE, PVE_FAKE_NODE).  stdin/stdout are passed through untouched so
# archives stream exactly as with a real `ssh node vzdump ... --stdout 1`.
. "$1"
PATH="$PVE_SIM_BIN:${PATH:-/usr/local/bin:/usr/bin:/bin}"
export PATH PVE_FAKE_STATE PVE_FAKE_NODE
# extra variables (e.g. PVE_FAKE_NOW, PVE_FAKE_DISK_BYTES_<vmid>) maintained by the harness
if [ -f "$PVE_FAKE_STATE/session.env" ]; then
    . "$PVE_FAKE_STATE/session.env"
fi
if [ -z "$SSH_ORIGINAL_COMMAND" ]; then
    echo "pve-sim: interactive sessions are not supported; pass a command" >&2
    exit 1
fi
exec /bin/sh -c "$SSH_ORIGINAL_COMMAND"
