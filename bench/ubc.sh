#!/usr/bin/env bash
# bench/ubc.sh N — the cost hakod pays to keep beancounters current.
#
# Starts its own hakod (own data dir, socket, bridge, subnet, node name), creates N busybox
# containers in ubc mode and starts them, then lets hakod sweep (every 10 s) and reports:
#   - the median wall time of one full beancounter sweep over the N running containers
#     (hakod measures it around the sweep: cgroup files + procfs, no process spawned), and
#   - hakod's CPU share over 60 s of steady state, which bounds the sweep's share from above
#     (it also includes the 2 s limit-event poll).
# Last line: `ubc N=.. sweep_ms_p50=.. hakod_cpu_pct_of_one_core=.. get_ubc_all_ms=..`
# Network: containers get no network (loopback only). Everything is removed at exit.
set -euo pipefail
N=${1:-50}
REPO=$(cd "$(dirname "$0")/.." && pwd)
T=$(mktemp -d /var/tmp/hakoubc.XXXXXX)
chmod 755 "$T" # container root (host uid 100000) must traverse it to reach its rootfs
D=$T/data
PIDFILE=$T/hakod.pid
BR=hkubc0
NODE=ubcbench
# shellcheck source=bench/lib/node.sh
. "$REPO/bench/lib/node.sh"
trap bench_cleanup EXIT INT TERM

bench_binaries "$REPO"
bench_start_hakod --subnet 10.252.0.0/16
log "creating and starting $N ubc containers"
for i in $(seq "$N"); do
  "$HAKO" create "u$i" --template busybox --disk 64M --network none --mode ubc --numproc 100:100 --physpages 0:64M --start >/dev/null
done

cpu_ticks() { awk '{print $14 + $15}' "/proc/$(cat "$PIDFILE")/stat"; }
log "waiting for hakod's sweeps (every 10 s)"
sleep 25
t0=$(cpu_ticks); s0=$(date +%s%N)
sleep 60
t1=$(cpu_ticks); s1=$(date +%s%N)
hz=$(getconf CLK_TCK)
cpu_pct=$(awk -v t="$((t1 - t0))" -v hz="$hz" -v ns="$((s1 - s0))" 'BEGIN { printf "%.2f", 100 * (t / hz) / (ns / 1e9) }')
sweep=$("$HAKO" node --json | python3 -c 'import json,sys; print(json.load(sys.stdin).get("beancounterSweepMilliseconds"))')

times=()
for _ in 1 2 3 4 5; do
  a=$(date +%s%N); "$HAKO" ubc >/dev/null; b=$(date +%s%N)
  times+=("$(( (b - a) / 1000000 ))")
done
get_all=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 3p)

echo "beancounter sweep over $N running containers: median ${sweep} ms (hakod's own timing of its 10 s sweep)"
echo "hakod CPU over 60 s steady state: ${cpu_pct}% of one core (sweep every 10 s + limit-event poll every 2 s)"
echo "hako ubc (all containers, CLI + API + rendering): median ${get_all} ms"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "ubc N=$N sweep_ms_p50=$sweep hakod_cpu_pct_of_one_core=$cpu_pct get_ubc_all_ms=$get_all"
