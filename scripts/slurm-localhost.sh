#!/usr/bin/env bash
# A one-node Slurm cluster on 127.0.0.1 for testing `bench slurm` (tests/slurm.rs, CI).
#
#   scripts/slurm-localhost.sh -- CMD [ARGS...]   start, run CMD with SLURM_CONF exported, stop;
#                                                exits with CMD's status
#   scripts/slurm-localhost.sh                   start, print "SLURM_CONF=<path>", stay up until
#                                                stdin closes, stop
#
# Installs the Debian packages slurmctld, slurmd, slurm-client and munge when they are absent
# (needs root and network: apt-get update + install). Writes a minimal slurm.conf and a fresh munge
# key into a temporary directory, starts munged, slurmctld and slurmd by hand (no systemd), and on
# exit stops exactly the daemons it started, by pid, then removes the directory. Runs the daemons as
# the current user (root in CI). Fails with a one-line reason when something is missing.
set -euo pipefail

fail() {
    echo "slurm-localhost: $*" >&2
    exit 1
}

if [[ $# -gt 0 && $1 != "--" ]]; then
    fail "usage: $0 [-- CMD [ARGS...]]"
fi
[[ $# -gt 0 ]] && shift

install_packages() {
    local missing=()
    command -v munged >/dev/null || missing+=(munge)
    command -v slurmctld >/dev/null || missing+=(slurmctld)
    command -v slurmd >/dev/null || missing+=(slurmd)
    command -v sbatch >/dev/null || missing+=(slurm-client)
    [[ ${#missing[@]} -eq 0 ]] && return 0
    [[ $(id -u) -eq 0 ]] || fail "packages ${missing[*]} are not installed and installing them needs root"
    command -v apt-get >/dev/null || fail "packages ${missing[*]} are not installed and apt-get is not available"
    echo "slurm-localhost: installing ${missing[*]}" >&2
    {
        apt-get update -qq &&
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
    } >&2 || fail "apt-get could not install ${missing[*]}"
}

install_packages

DIR=$(mktemp -d /tmp/slurm-localhost.XXXXXX)
chmod 700 "$DIR"
PIDS=()

stop_daemons() {
    local pid i
    for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
        pid=${PIDS[i]}
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${PIDS[@]}"; do
        for _ in $(seq 50); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -9 "$pid" 2>/dev/null || true
    done
    rm -rf "$DIR"
}
trap stop_daemons EXIT
trap 'exit 130' INT TERM

# Wait until the daemon writes its pid file; remember that pid. Fails when the daemon exits first.
started() {
    local name=$1 pidfile=$2 log=$3
    for _ in $(seq 100); do
        if [[ -s $pidfile ]]; then
            local pid
            pid=$(cat "$pidfile")
            if kill -0 "$pid" 2>/dev/null; then
                PIDS+=("$pid")
                return 0
            fi
        fi
        sleep 0.1
    done
    fail "$name did not start; last log lines: $(tail -n 3 "$log" 2>/dev/null | tr '\n' ' ')"
}

# --- munge: a fresh key, a private socket
mkdir -p "$DIR/munge"
chmod 700 "$DIR/munge"
dd if=/dev/urandom of="$DIR/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$DIR/munge/munge.key"
SOCKET="$DIR/munge/munge.socket"
munged --key-file="$DIR/munge/munge.key" --socket="$SOCKET" --pid-file="$DIR/munge/munged.pid" \
    --log-file="$DIR/munge/munged.log" --seed-file="$DIR/munge/munged.seed" --force ||
    fail "munged did not start: $(tail -n 3 "$DIR/munge/munged.log" 2>/dev/null | tr '\n' ' ')"
started munged "$DIR/munge/munged.pid" "$DIR/munge/munged.log"

# --- slurm.conf for this host only
HOST=$(hostname -s)
CPUS=$(nproc)
MEM_MB=$(awk '/^MemTotal:/ {print int($2 / 1024 * 0.9)}' /proc/meminfo)
USER_NAME=$(id -un)
# Ports: first free pair from 16817 on (a system Slurm may hold 6817/6818).
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
PORT=16817
while ! { port_free "$PORT" && port_free $((PORT + 1)); }; do PORT=$((PORT + 2)); done
mkdir -p "$DIR/state" "$DIR/spool" "$DIR/log"
cat >"$DIR/slurm.conf" <<EOF
ClusterName=benchlocal
SlurmctldHost=$HOST(127.0.0.1)
SlurmctldPort=$PORT
SlurmdPort=$((PORT + 1))
SlurmUser=$USER_NAME
SlurmdUser=$USER_NAME
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$SOCKET
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$DIR/slurmctld.pid
SlurmdPidFile=$DIR/slurmd.pid
SlurmctldLogFile=$DIR/log/slurmctld.log
SlurmdLogFile=$DIR/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SlurmdParameters=config_overrides
ReturnToService=2
MinJobAge=300
NodeName=$HOST NodeAddr=127.0.0.1 CPUs=$CPUS RealMemory=$MEM_MB State=UNKNOWN
PartitionName=local Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF="$DIR/slurm.conf"

slurmctld -f "$SLURM_CONF" -i || fail "slurmctld did not start: $(tail -n 3 "$DIR/log/slurmctld.log" | tr '\n' ' ')"
started slurmctld "$DIR/slurmctld.pid" "$DIR/log/slurmctld.log"
slurmd -f "$SLURM_CONF" -N "$HOST" || fail "slurmd did not start: $(tail -n 3 "$DIR/log/slurmd.log" | tr '\n' ' ')"
started slurmd "$DIR/slurmd.pid" "$DIR/log/slurmd.log"

# --- wait for the node to accept jobs
for _ in $(seq 150); do
    state=$(sinfo -h -N -o '%t' 2>/dev/null | head -n 1 || true)
    [[ $state == idle* || $state == mix* || $state == alloc* ]] && break
    sleep 0.2
done
[[ ${state:-} == idle* || ${state:-} == mix* || ${state:-} == alloc* ]] ||
    fail "node $HOST is not idle (state '${state:-none}'); slurmd log: $(tail -n 3 "$DIR/log/slurmd.log" | tr '\n' ' ')"
echo "slurm-localhost: up ($HOST, $CPUS CPUs, ports $PORT/$((PORT + 1)), $DIR)" >&2

if [[ $# -gt 0 ]]; then
    status=0
    "$@" || status=$?
    exit "$status"
fi
echo "SLURM_CONF=$SLURM_CONF"
# Stay up until the caller closes stdin.
cat >/dev/null || true
