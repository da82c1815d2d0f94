#!/usr/bin/env bash
# bench/density.sh [N] [--network none|bridge|both] — how many containers one node holds, and what
# hakod costs with all of them running.
#
# Starts its own hakod (own data dir, socket, bridge, subnet, node name), then for each network mode
# (default: both, one after the other):
#   1. creates and starts N busybox containers (--disk 64M --memory 64M), timing each create+start;
#   2. lets hakod settle (25 s), then over 60 s of steady state measures
#      - `hako list` wall time (median of 5; target < 150 ms),
#      - the usage sampler's CPU share (hako_sampler_cpu_seconds_total in /metrics; target < 1%),
#      - the beancounter sweep's share (its median wall time per 10 s sweep, an upper bound of its
#        CPU; target < 1%), and hakod's whole CPU share,
#      - hakod's RSS and the host's MemAvailable drop per container;
#   3. destroys all and checks nothing is left: no mounts or loop devices of the data dir, no LXC
#      containers, no cgroups of the node, no veths on the bridge.
# Before it starts it prints the host limits that density runs into (inotify, keys, pids, loop).
# Last line per mode: `density N=.. network=.. create_start_ms_p50=.. create_start_ms_p99=.. list_ms=..
#   sampler_cpu_pct=.. sweep_cpu_pct=.. hakod_cpu_pct=.. hakod_rss_mb=.. memavail_kb_per_ct=.. leftovers=..`
# Network: containers are on a bridge of the bench's own with no route out; no traffic is sent.
set -euo pipefail
N=1000
MODES=both
while [ $# -gt 0 ]; do
  case "$1" in
    --network) MODES=$2; shift 2 ;;
    --network=*) MODES=${1#--network=}; shift ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    [0-9]*) N=$1; shift ;;
    *) echo "unknown argument: $1 (usage: bench/density.sh [N] [--network none|bridge|both])" >&2; exit 2 ;;
  esac
done
case "$MODES" in none|bridge) ;; both) MODES="none bridge" ;; *) echo "--network: none, bridge or both" >&2; exit 2 ;; esac
[[ "$N" =~ ^[1-9][0-9]*$ ]] || { echo "N must be a positive integer" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "run as root" >&2; exit 2; }

REPO=$(cd "$(dirname "$0")/.." && pwd)
T=$(mktemp -d /var/tmp/hakodensity.XXXXXX)
chmod 755 "$T" # container root (host uid 100000) must traverse it to reach its rootfs
D=$T/data
PIDFILE=$T/hakod.pid
BR=hkdens0
NODE=densbench
# shellcheck source=bench/lib/node.sh
. "$REPO/bench/lib/node.sh"
trap bench_cleanup EXIT INT TERM

log "host limits: inotify instances $(cat /proc/sys/fs/inotify/max_user_instances), watches $(cat /proc/sys/fs/inotify/max_user_watches)," \
  "keys maxkeys $(cat /proc/sys/kernel/keys/maxkeys) maxbytes $(cat /proc/sys/kernel/keys/maxbytes)," \
  "pid_max $(cat /proc/sys/kernel/pid_max), threads-max $(cat /proc/sys/kernel/threads-max)," \
  "loop devices $(ls /dev/loop[0-9]* 2>/dev/null | wc -l), open files $(ulimit -n)"

bench_binaries "$REPO"
# /16: room for N addresses on the bridge. Memory overcommit unchecked: this measures density, not admission
# (at the default ratio 2, 64M limits stop at about 720 containers on a 24G node).
bench_start_hakod --subnet 10.250.0.0/16 --overcommit-memory inf

metric() { curl -s --unix-socket "$D/hako.sock" http://hakod/metrics | awk -v m="$1" '$1 == m { print $2 }'; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$(cat "$PIDFILE")/stat"; }
memavail_kb() { awk '/^MemAvailable:/ { print $2 }' /proc/meminfo; }
pctl() { sort -g | awk -v p="$1" '{ a[NR] = $1 } END { i = int((p / 100) * NR + 0.999999); if (i < 1) i = 1; printf "%.1f", a[i] }'; }
now_ms() { date +%s%3N; }

leftovers() {
  local n=0 c
  c=$(grep -c " $D" /proc/self/mounts || true); n=$((n + c)); [ "$c" = 0 ] || log "leftover mounts: $c"
  c=$(losetup -l -n -O BACK-FILE 2>/dev/null | grep -c "$D" || true); n=$((n + c)); [ "$c" = 0 ] || log "leftover loop devices: $c"
  c=$(ls "$D/lxc" 2>/dev/null | wc -l); n=$((n + c)); [ "$c" = 0 ] || log "leftover LXC dirs: $c"
  c=$(find /sys/fs/cgroup -maxdepth 3 -path "*hako-$NODE/*" -type d 2>/dev/null | wc -l); n=$((n + c)); [ "$c" = 0 ] || log "leftover cgroups: $c"
  c=$(ls "/sys/class/net/$BR/brif" 2>/dev/null | wc -l); n=$((n + c)); [ "$c" = 0 ] || log "leftover bridge ports: $c"
  echo "$n"
}

for MODE in $MODES; do
  log "network=$MODE: creating and starting $N containers"
  mem0=$(memavail_kb)
  rss0=$(awk '/^VmRSS:/ { print $2 }' "/proc/$(cat "$PIDFILE")/status")
  : > "$T/create.ms"
  net=(); [ "$MODE" = none ] && net=(--network none)
  for i in $(seq "$N"); do
    a=$(now_ms)
    if ! out=$("$HAKO" create "d$i" --template busybox --disk 64M --memory 64M "${net[@]}" --start 2>&1); then
      log "create+start of container $i failed: $out"
      log "stopping here: $((i - 1)) containers run"
      N_OK=$((i - 1))
      break
    fi
    echo $(( $(now_ms) - a )) >> "$T/create.ms"
    (( i % 100 == 0 )) && log "  $i running"
    N_OK=$i
  done

  log "waiting for steady state"
  sleep 25
  t0=$(cpu_ticks); s0=$(date +%s%N); c0=$(metric hako_sampler_cpu_seconds_total)
  sleep 60
  t1=$(cpu_ticks); s1=$(date +%s%N); c1=$(metric hako_sampler_cpu_seconds_total)
  hz=$(getconf CLK_TCK)
  wall=$(awk -v ns="$((s1 - s0))" 'BEGIN { print ns / 1e9 }')
  hakod_cpu=$(awk -v t="$((t1 - t0))" -v hz="$hz" -v w="$wall" 'BEGIN { printf "%.2f", 100 * (t / hz) / w }')
  sampler_cpu=$(awk -v a="${c0:-0}" -v b="${c1:-0}" -v w="$wall" 'BEGIN { printf "%.2f", 100 * (b - a) / w }')
  sweep_ms=$("$HAKO" node --json | python3 -c 'import json,sys; print(json.load(sys.stdin).get("beancounterSweepMilliseconds") or 0)')
  sweep_cpu=$(awk -v ms="$sweep_ms" 'BEGIN { printf "%.2f", 100 * (ms / 1000) / 10 }')
  rss1=$(awk '/^VmRSS:/ { print $2 }' "/proc/$(cat "$PIDFILE")/status")
  mem1=$(memavail_kb)
  for _ in 1 2 3 4 5; do a=$(now_ms); "$HAKO" list >/dev/null; echo $(( $(now_ms) - a )); done > "$T/list.ms"
  list_ms=$(pctl 50 < "$T/list.ms")
  p50=$(pctl 50 < "$T/create.ms"); p99=$(pctl 99 < "$T/create.ms")
  per_ct=$(( (mem0 - mem1) / (N_OK > 0 ? N_OK : 1) ))
  echo "network=$MODE: $N_OK of $N running; create+start p50 ${p50} ms p99 ${p99} ms; hako list ${list_ms} ms (median of 5)"
  echo "  over 60 s: hakod ${hakod_cpu}% of a core, sampler ${sampler_cpu}%, beancounter sweep ≤ ${sweep_cpu}% (${sweep_ms} ms per 10 s)"
  echo "  hakod RSS $((rss0 / 1024)) → $((rss1 / 1024)) MB; host MemAvailable −${per_ct} kB per container"

  log "destroying"
  for i in $(seq "$N_OK"); do "$HAKO" destroy --force "d$i" >/dev/null; done
  sleep 2
  left=$(leftovers)
  echo "density N=$N_OK network=$MODE create_start_ms_p50=$p50 create_start_ms_p99=$p99 list_ms=$list_ms sampler_cpu_pct=$sampler_cpu sweep_cpu_pct=$sweep_cpu hakod_cpu_pct=$hakod_cpu hakod_rss_mb=$((rss1 / 1024)) memavail_kb_per_ct=$per_ct leftovers=$left"
done
