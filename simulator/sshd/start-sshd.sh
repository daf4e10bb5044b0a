#!/bin/sh
# start-sshd.sh <workdir> <port> <statedir> [node] [user] [listen-address]
# Runs a real OpenSSH sshd in the foreground (exec, so the caller's PID is sshd) on
# <listen-address>:<port> (default 127.0.0.1; any 127.x.y.z is loopback on Linux, so several
# fake nodes can share one port on different addresses).  Every login runs session.sh, which executes the requested command with
# the simulator's fake Proxmox tools first in PATH and PVE_FAKE_STATE/PVE_FAKE_NODE set.
set -eu
if [ $# -lt 3 ]; then
    echo "usage: $0 <workdir> <port> <statedir> [node] [user] [listen-address]" >&2
    exit 2
fi
WORK=$(mkdir -p "$1" && cd "$1" && pwd)
PORT=$2
STATE=$(cd "$3" && pwd)
NODE=${4:-}
USER_ALLOWED=${5:-${PVE_SIM_SSH_USER:-plakartest}}
LISTEN=${6:-127.0.0.1}
case "$LISTEN" in
    *[!0-9.]* | "") echo "$0: listen address must be an IPv4 address, got '$LISTEN'" >&2; exit 2 ;;
esac
HERE=$(cd "$(dirname "$0")" && pwd)
BIN=$(cd "$HERE/../bin" && pwd)
SSHD=${SSHD:-/usr/sbin/sshd}

chmod 755 "$WORK"
if [ ! -f "$WORK/ssh_host_ed25519_key" ]; then
    ssh-keygen -q -t ed25519 -N '' -C "pve-sim-hostkey" -f "$WORK/ssh_host_ed25519_key"
fi
touch "$WORK/authorized_keys"
chmod 644 "$WORK/authorized_keys"
if [ -z "$NODE" ]; then
    NODE=$(sed -n 's/.*"local_node": *"\([^"]*\)".*/\1/p' "$STATE/cluster.json" | head -n1)
fi
cat > "$WORK/session.env" <<ENV
PVE_SIM_BIN='$BIN'
PVE_FAKE_STATE='$STATE'
PVE_FAKE_NODE='$NODE'
ENV
chmod 644 "$WORK/session.env"
cat > "$WORK/sshd_config" <<CONF
Port $PORT
ListenAddress $LISTEN
HostKey $WORK/ssh_host_ed25519_key
PidFile $WORK/sshd.pid
AuthorizedKeysFile $WORK/authorized_keys
StrictModes no
UsePAM no
PasswordAuthentication yes
PermitEmptyPasswords no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
AllowUsers $USER_ALLOWED
ForceCommand $HERE/session.sh $WORK/session.env
Ciphers chacha20-poly1305@openssh.com,aes128-gcm@openssh.com,aes256-gcm@openssh.com,aes128-ctr,aes192-ctr,aes256-ctr
MaxStartups 100:30:200
MaxSessions 64
X11Forwarding no
AllowTcpForwarding no
AllowAgentForwarding no
PermitTTY no
PrintMotd no
PrintLastLog no
UseDNS no
LogLevel ${PVE_SIM_SSHD_LOGLEVEL:-INFO}
CONF
mkdir -p /run/sshd 2>/dev/null || true
exec "$SSHD" -D -e -f "$WORK/sshd_config"
