#!/usr/bin/env bash
# Hako migration benchmark: downtime (freeze to running on the target, median of N runs) and bytes sent for a
# busybox container with 1 MB, 50 MB and 500 MB written since creation (and Debian 12 with BENCH_DEBIAN=1),
# between two hakod nodes on this machine (separate data dirs, sockets, TCP ports; one shared bridge and pool).
#
# usage: bench/migrate.sh [N]            (default N=3 runs per size)
# env:   HAKO_BIN_DIR (dir with hakod and hako; else the Release build of this repo is used via dotnet),
#        BENCH_SIZES (MB list, default "1 50 500"), BENCH_DEBIAN=1 (also a Debian 12 container: imported from
#        $BENCH_CACHE/debian-12.tar.zst that bench/provision.sh keeps, else debootstrapped; Hako only),
#        BENCH_TMP (parent of the temp dir, default /var/tmp)
#
# Peer (same run, busybox cases): LXD 5.0.2 `lxc move` of the same container, stopped (LXD's full copy),
# between two LXD daemons (separate LXD_DIRs) that share one new network namespace with only lo; the bytes
# are that namespace's lo counter. BENCH_NO_LXD=1 skips it.
# Network: everything stays on loopback and on the bridge this script makes; forwarding/NAT are never touched.
set -Eeuo pipefail
{
SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$SCRIPT_DIR/.." && pwd)
N=${1:-3}
SIZES=${BENCH_SIZES-1 50 500}   # set but empty: no busybox case
[ "$(id -u)" = 0 ] || { echo "run as root" >&2; exit 2; }

RESULTS=$SCRIPT_DIR/results/migrate-$(date +%Y%m%d-%H%M%S)-N$N
mkdir -p "$RESULTS"
LOG=$RESULTS/run.log
T=$(mktemp -d "${BENCH_TMP:-/var/tmp}/hakomig.XXXXXX")
chmod 711 "$T"
log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" | tee -a "$LOG" >&2; }

if [ -n "${HAKO_BIN_DIR:-}" ]; then
  HAKOD=("$HAKO_BIN_DIR/hakod") HAKO=("$HAKO_BIN_DIR/hako")
else
  for p in Hako.Daemon Hako.Cli; do
    dotnet build "$REPO_DIR/src/$p" -c Release -nologo -v q >>"$LOG" 2>&1 || { log "build of $p failed (see $LOG)"; exit 1; }
  done
  HAKOD=(dotnet "$REPO_DIR/src/Hako.Daemon/bin/Release/net10.0/hakod.dll")
  HAKO=(dotnet "$REPO_DIR/src/Hako.Cli/bin/Release/net10.0/hako.dll")
fi

BR=hkbm$(( $$ % 10000 ))
SUBNET=10.251.$(( $$ % 250 )).0/24
PIDS=()
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
start_node() { # NAME PORT
  mkdir -p "$T/$1"
  "${HAKOD[@]}" --data-dir "$T/$1" --socket "$T/$1/hako.sock" --bridge "$BR" --subnet "$SUBNET" --node-name "$1" \
    --listen "127.0.0.1:$2" >>"$T/$1.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 300); do [ -S "$T/$1/hako.sock" ] && hako "$1" node >/dev/null 2>&1 && return 0; sleep 0.1; done
  log "hakod $1 did not start: $(tail -5 "$T/$1.log")"; exit 1
}
hako() { local node=$1; shift; "${HAKO[@]}" --socket "$T/$node/hako.sock" "$@"; }
cleanup() {
  set +e
  for node in benchb bencha; do
    [ -S "$T/$node/hako.sock" ] || continue
    for c in $(hako "$node" list --json 2>/dev/null | jq -r '.[].name'); do hako "$node" destroy --force "$c" >/dev/null 2>&1; done
  done
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  sleep 1
  # Containers a failed destroy left running (e.g. mid-migration): kill whatever is still in the nodes' cgroups.
  for procs in /sys/fs/cgroup/pids/hako-bencha/*/cgroup.procs /sys/fs/cgroup/pids/hako-benchb/*/cgroup.procs; do
    [ -f "$procs" ] && xargs -r kill -9 < "$procs" 2>/dev/null
  done
  for d in "$T"/bencha/lxc/*/ "$T"/benchb/lxc/*/; do [ -d "$d" ] && lxc-stop -P "$(dirname "$d")" -n "$(basename "$d")" -k >/dev/null 2>&1; done
  for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
  grep " $T/" /proc/self/mountinfo | awk '{print $5}' | sort -r | while read -r m; do umount -l "$m"; done
  losetup -a | grep " ($T/" | cut -d: -f1 | xargs -r -n1 losetup -d 2>/dev/null
  for d in A B; do [ -S "$T/lxd$d/unix.socket" ] && LXD_DIR=$T/lxd$d timeout 60 lxd shutdown >/dev/null 2>&1; done
  for p in "${LXD_PIDS[@]}"; do kill "$p" 2>/dev/null; sleep 0.5; kill -9 "$p" 2>/dev/null; done
  ip link del "$BR" 2>/dev/null
  for c in /sys/fs/cgroup/*/hako-bencha* /sys/fs/cgroup/*/hako-benchb*; do [ -d "$c" ] && find "$c" -depth -type d -exec rmdir {} + 2>/dev/null; done
  rm -rf "$T"
}
trap cleanup EXIT

PA=$(port); PB=$(port)
start_node bencha "$PA"
start_node benchb "$PB"
hako bencha template build busybox -q
hako bencha node add benchb "http://127.0.0.1:$PB" --token "$(cat "$T/benchb/api.token")" -q
if [ "${BENCH_DEBIAN:-}" = 1 ]; then
  # provision.sh keeps a debootstrapped Debian 12 rootfs tarball: import it (offline) when it is there.
  DEB_TARBALL=${BENCH_CACHE:-/var/cache/hakobench}/debian-12.tar.zst
  if [ -f "$DEB_TARBALL" ]; then
    log "importing the debian-12 template from $DEB_TARBALL"
    hako bencha template import debian-12 "$DEB_TARBALL" -q
  else
    log "building the debian-12 template (debootstrap from the configured mirror)"
    hako bencha template build debian-12 -q
  fi
fi

# ---------------------------------------------------------------- LXD peer
LXD_PIDS=()
lxd_in() { local d=$1; shift; LXD_DIR=$T/lxd$d LXD_CONF=$T/lxdconf nsenter -t "${LXD_PIDS[0]}" -n -- "$@"; }
lo_tx() { nsenter -t "${LXD_PIDS[0]}" -n -- awk '$1 == "lo:" { print $10 }' /proc/net/dev; }
start_lxds() {
  mkdir -p "$T/lxdA" "$T/lxdB" "$T/lxdconf" "$T/lxdimg"; chmod 711 "$T/lxdA" "$T/lxdB"
  LXD_DIR=$T/lxdA setsid unshare --net -- sh -c 'ip link set lo up; exec lxd --group root --logfile "$0"' "$T/lxdA.log" >/dev/null 2>&1 &
  LXD_PIDS+=($!)
  for _ in $(seq 100); do [ "$(readlink "/proc/${LXD_PIDS[0]}/ns/net")" != "$(readlink /proc/self/ns/net)" ] && break; sleep 0.05; done
  LXD_DIR=$T/lxdB nsenter -t "${LXD_PIDS[0]}" -n -- setsid lxd --group root --logfile "$T/lxdB.log" >/dev/null 2>&1 &
  LXD_PIDS+=($!)
  local d port
  for d in A B; do
    LXD_DIR=$T/lxd$d timeout 60 lxd waitready || { log "LXD $d did not start: $(tail -3 "$T/lxd$d.log")"; return 1; }
    port=$([ $d = A ] && echo 8443 || echo 8444)
    printf 'config:\n  core.https_address: 127.0.0.1:%s\n  core.trust_password: hakobench\nnetworks: []\nstorage_pools:\n- name: default\n  driver: dir\nprofiles:\n- name: default\n  devices:\n    root: {path: /, pool: default, type: disk}\n' "$port" |
      LXD_DIR=$T/lxd$d lxd init --preseed >>"$LOG" 2>&1 || return 1
  done
  lxd_in A lxc remote add peerb 127.0.0.1:8444 --password hakobench --accept-certificate >>"$LOG" 2>&1 || return 1
  # The same busybox rootfs as Hako's template, owned by root again (LXD shifts ids itself).
  printf 'architecture: x86_64\ncreation_date: %s\nproperties:\n  description: hako bench busybox\n' "$(date +%s)" >"$T/lxdimg/metadata.yaml"
  tar -C "$T/bencha/templates/busybox" --numeric-owner --owner=0 --group=0 -cf "$T/lxdimg/bb.tar" rootfs
  tar -C "$T/lxdimg" -rf "$T/lxdimg/bb.tar" metadata.yaml
  lxd_in A lxc image import "$T/lxdimg/bb.tar" --alias hakobench-bb >>"$LOG" 2>&1 || return 1
}
lxd_case() { # MB -> sets LXD_MS LXD_MB (medians over N runs)
  local mb=$1 i ct ms=() by=() b0 t0
  for i in $(seq "$N"); do
    ct=lm$(( RANDOM % 100000 ))
    lxd_in A lxc launch hakobench-bb "$ct" >>"$LOG" 2>&1
    [ "$mb" -gt 0 ] && lxd_in A lxc exec "$ct" -- dd if=/dev/urandom of=/payload bs=1M count="$mb" >/dev/null 2>&1
    lxd_in A lxc stop --force "$ct" >>"$LOG" 2>&1
    b0=$(lo_tx); t0=$(date +%s%N)
    lxd_in A lxc move "$ct" "peerb:$ct" >>"$LOG" 2>&1
    ms+=("$(( ($(date +%s%N) - t0) / 1000000 ))"); by+=("$(( $(lo_tx) - b0 ))")
    log "lxd busybox-${mb}MB run $i: lxc move (stopped) ${ms[-1]} ms, ${by[-1]} B on lo"
    lxd_in A lxc delete --force "peerb:$ct" >>"$LOG" 2>&1
  done
  LXD_MS=$(printf '%s\n' "${ms[@]}" | median)
  LXD_MB=$(echo "$(printf '%s\n' "${by[@]}" | median) / 1048576" | bc -l)
}

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
SUMMARY=$RESULTS/summary.txt
LXD_OK=""
if [ "${BENCH_NO_LXD:-}" != 1 ] && command -v lxd >/dev/null; then
  if start_lxds; then LXD_OK=1; else log "LXD peer could not be set up (see $LOG): measuring Hako only"; fi
fi
printf '%-16s %5s %12s %13s %11s %9s %15s %12s\n' case runs downtime_ms sent_data_MB written_MB sent/wr lxd_move_ms lxd_sent_MB | tee "$SUMMARY"
run_case() { # LABEL TEMPLATE MB
  local label=$1 tpl=$2 mb=$3 i ct down=() sent=()
  for i in $(seq "$N"); do
    ct=m$(( RANDOM % 100000 ))
    hako bencha create "$ct" --template "$tpl" --disk 2G --start -q
    # What the container changes: MB of random data (zeros would travel as sparse holes) plus its own boot writes.
    [ "$mb" -gt 0 ] && hako bencha exec "$ct" -- dd if=/dev/urandom of=/payload bs=1M count="$mb" >/dev/null 2>&1
    hako bencha exec "$ct" -- sync >/dev/null 2>&1 || true
    # Let a systemd guest finish booting first (its boot is what it writes), so the copy races a live system.
    [ "$tpl" != busybox ] && sleep "${BENCH_SETTLE:-10}"
    local json
    json=$(hako bencha migrate "$ct" benchb --json)
    echo "$json" >>"$RESULTS/$label.jsonl"
    down+=("$(jq -r '.downtimeMilliseconds' <<<"$json")")
    sent+=("$(jq -r '(.bytesSent - .templateBytes)' <<<"$json")")
    log "$label run $i: downtime $(jq -r '.downtimeMilliseconds|floor' <<<"$json") ms, data sent $(jq -r '(.bytesSent - .templateBytes)' <<<"$json") B, passes $(jq -r '.passes|length' <<<"$json"), steps $(jq -c '.downtimeSteps' <<<"$json")"
    hako benchb destroy --force "$ct" -q
  done
  local md ms
  md=$(printf '%s\n' "${down[@]}" | median)
  ms=$(printf '%s\n' "${sent[@]}" | median)
  LXD_MS=- LXD_MB=-
  [ -n "$LXD_OK" ] && [ "$tpl" = busybox ] && lxd_case "$mb"
  printf '%-16s %5s %12.0f %13.2f %11s %9s %15s %12s\n' "$label" "$N" "$md" "$(echo "$ms / 1048576" | bc -l)" "$mb" \
    "$( [ "$mb" -gt 0 ] && echo "scale=3; $ms / ($mb * 1048576)" | bc || echo -)" "$LXD_MS" \
    "$( [ "$LXD_MB" = - ] && echo - || printf '%.2f' "$LXD_MB")" | tee -a "$SUMMARY"
}

for mb in $SIZES; do run_case "busybox-${mb}MB" busybox "$mb"; done
[ "${BENCH_DEBIAN:-}" = 1 ] && run_case debian-12 debian-12 0
log "results in $RESULTS"
}
