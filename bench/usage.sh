#!/usr/bin/env bash
# bench/usage.sh N — what usage history costs: the sampler's CPU and sweep time with N running
# containers, and how much the store grows per container per day.
#
# Starts its own hakod (own data dir, socket, bridge, subnet, node name) with the default
# --sample-interval 10s and a short --history-bucket 20s (so aggregate rows exist to be measured;
# a row's size does not depend on the bucket length), creates N busybox containers on the bridge
# (each with a veth, as customers' containers have) and starts them, then over 60 s of steady state:
#   - sampler CPU: hakod measures the CPU time of each sweep and compaction on the sampling thread
#     (hako_sampler_cpu_seconds_total in /metrics); the share is its delta over the wall time;
#   - sweep time: the median of hako_sampler_last_sweep_seconds over the run;
#   - hakod's whole CPU share (sampler + limit-event poll + beancounter sweep) for comparison;
#   - store growth: bytes per raw row and per aggregate row from SQLite's dbstat, times the rows a
#     container adds per day (86400 / interval raw rows, 86400 / 300 aggregates at the default 5m).
# Last line: `usage N=.. sweep_ms_p50=.. sampler_cpu_pct=.. hakod_cpu_pct=.. raw_row_b=.. agg_row_b=.. kb_per_container_day=.. mb_per_container_steady=..`
# Network: containers are on a bridge of their own with no route out; no traffic is sent.
set -euo pipefail
N=${1:-50}
REPO=$(cd "$(dirname "$0")/.." && pwd)
T=$(mktemp -d /var/tmp/hakousage.XXXXXX)
chmod 755 "$T" # container root (host uid 100000) must traverse it to reach its rootfs
D=$T/data
PIDFILE=$T/hakod.pid
BR=hkusage0
NODE=usagebench
# shellcheck source=bench/lib/node.sh
. "$REPO/bench/lib/node.sh"
trap bench_cleanup EXIT INT TERM

bench_binaries "$REPO"
bench_start_hakod --subnet 10.251.0.0/16 --history-bucket 20s --history-raw 1h
log "creating and starting $N containers"
for i in $(seq "$N"); do
  "$HAKO" create "u$i" --template busybox --disk 64M --memory 64M --start >/dev/null
done

metric() { curl -s --unix-socket "$D/hako.sock" http://hakod/metrics | awk -v m="$1" '$1 == m { print $2 }'; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$(cat "$PIDFILE")/stat"; }
log "waiting for steady state"
sleep 25
c0=$(metric hako_sampler_cpu_seconds_total); t0=$(cpu_ticks); s0=$(date +%s%N)
sweeps=()
for _ in 1 2 3 4 5 6; do
  sleep 10
  sweeps+=("$(metric hako_sampler_last_sweep_seconds)")
done
c1=$(metric hako_sampler_cpu_seconds_total); t1=$(cpu_ticks); s1=$(date +%s%N)
hz=$(getconf CLK_TCK)
wall=$(awk -v ns="$((s1 - s0))" 'BEGIN { print ns / 1e9 }')
sampler_pct=$(awk -v a="$c0" -v b="$c1" -v w="$wall" 'BEGIN { printf "%.3f", 100 * (b - a) / w }')
hakod_pct=$(awk -v t="$((t1 - t0))" -v hz="$hz" -v w="$wall" 'BEGIN { printf "%.2f", 100 * (t / hz) / w }')
sweep_ms=$(printf '%s\n' "${sweeps[@]}" | sort -g | awk '{ a[NR] = $1 } END { printf "%.1f", 1000 * a[int((NR + 1) / 2)] }')

# Row sizes from SQLite's own page accounting (dbstat), over the rows this run wrote.
read -r raw_rows raw_bytes agg_rows agg_bytes < <(sqlite3 "$D/hako.db" "
  SELECT (SELECT count(*) FROM usage_raw), (SELECT sum(pgsize) FROM dbstat WHERE name = 'usage_raw'),
         (SELECT count(*) FROM usage_agg), (SELECT sum(pgsize) FROM dbstat WHERE name = 'usage_agg');" | tr '|' ' ')
raw_row=$((raw_bytes / raw_rows)); agg_row=$((agg_bytes / (agg_rows > 0 ? agg_rows : 1)))
# Per container per day at the defaults: 8640 raw rows (10 s) + 288 aggregates (5 min).
day_kb=$(( (8640 * raw_row + 288 * agg_row) / 1024 ))
# Steady state at the defaults: 24 h of raw rows + 30 days of aggregates.
steady_mb=$(awk -v r="$raw_row" -v a="$agg_row" 'BEGIN { printf "%.1f", (8640 * r + 30 * 288 * a) / 1048576 }')

echo "sampler sweep over $N running containers: median ${sweep_ms} ms (hakod's own timing)"
echo "sampler CPU: ${sampler_pct}% of one core (sweep thread CPU time over ${wall%.*} s); hakod as a whole: ${hakod_pct}%"
echo "store: ${raw_row} B per raw row ($raw_rows rows), ${agg_row} B per aggregate row ($agg_rows rows)"
echo "growth per container per day: ${day_kb} KiB; bounded at ${steady_mb} MiB per container (24 h raw + 30 d of 5-minute aggregates)"
echo "usage N=$N sweep_ms_p50=$sweep_ms sampler_cpu_pct=$sampler_pct hakod_cpu_pct=$hakod_pct raw_row_b=$raw_row agg_row_b=$agg_row kb_per_container_day=$day_kb mb_per_container_steady=$steady_mb"
