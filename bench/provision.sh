#!/usr/bin/env bash
# Hako provisioning benchmark: Hako vs LXD 5.0.2 (Debian's package) vs raw lxc-start (the floor),
# measured in one run on one machine. See bench/README.md.
#
# usage: bench/provision.sh [--only hako,lxd,raw] [--template busybox|debian-12] [N]
# env:   BENCH_PARTS (same as --only), BENCH_TEMPLATE (busybox|debian|debian-12),
#        HAKO_BIN_DIR (dir with hakod and hako; else they are published from this repo),
#        BENCH_TMP (parent of the temp dir, default /var/tmp),
#        BENCH_CACHE (where the debootstrap tarball is kept between runs, default /var/cache/hakobench),
#        BENCH_NO_AOT=1 (skip the NativeAOT attempt for the CLI)
#
# Network: nothing leaves loopback. LXD gets no network (no lxdbr0, profile without a nic); when
# this script starts the LXD daemon itself it runs it in an empty network namespace (only lo), so
# LXD's own start-up fetch of instance types cannot reach anything. Forwarding/NAT are never touched.
set -Eeuo pipefail
{ # the whole script is one compound command: bash parses it all before running, so editing the file
  # while a run is going on cannot change what that run executes

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$SCRIPT_DIR/.." && pwd)

PARTS=${BENCH_PARTS:-hako,lxd,raw}
TEMPLATE=${BENCH_TEMPLATE:-busybox}
N=""
while [ $# -gt 0 ]; do
  case "$1" in
    --only) PARTS=$2; shift 2 ;;
    --only=*) PARTS=${1#--only=}; shift ;;
    --template) TEMPLATE=$2; shift 2 ;;
    --template=*) TEMPLATE=${1#--template=}; shift ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    [0-9]*) N=$1; shift ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
case "$TEMPLATE" in
  busybox) ;;
  debian|debian-12|debian12) TEMPLATE=debian-12 ;;
  *) echo "unknown template: $TEMPLATE (busybox|debian-12)" >&2; exit 2 ;;
esac
if [ -z "$N" ]; then if [ "$TEMPLATE" = busybox ]; then N=10; else N=5; fi; fi
[[ "$N" =~ ^[1-9][0-9]*$ ]] || { echo "N must be a positive integer" >&2; exit 2; }
has_part() { [[ ",$PARTS," == *",$1,"* ]]; }
for p in ${PARTS//,/ }; do
  case "$p" in hako|lxd|raw) ;; *) echo "unknown part: $p (hako,lxd,raw)" >&2; exit 2 ;; esac
done
[ "$(id -u)" = 0 ] || { echo "run as root" >&2; exit 2; }

# ---------------------------------------------------------------- state, logging, cleanup
RUN_ID=$(date +%Y%m%d-%H%M%S)-$TEMPLATE-N$N
RESULTS=$SCRIPT_DIR/results/$RUN_ID
mkdir -p "$RESULTS"
LOG=$RESULTS/run.log
: >"$LOG"
T=$(mktemp -d "${BENCH_TMP:-/var/tmp}/hakobench.XXXXXX")
chmod 711 "$T"   # container roots (uid 100000) must traverse it
CACHE=${BENCH_CACHE:-/var/cache/hakobench}

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" | tee -a "$LOG" >&2; }
die() { log "ERROR: $*"; exit 1; }

# Results of every part (NA = skipped).
declare -A R=()
for k in hako_create hako_ready hako_exec hako_destroy hako_disk hako_disk_app hako_df hako_mem hako_cgmem hako_drss hako_mon hako_list \
         lxd_create lxd_ready lxd_exec lxd_destroy lxd_disk lxd_disk_app lxd_mem lxd_cgmem lxd_drss lxd_mon \
         raw_start raw_ready raw_exec raw_stop raw_disk raw_mem raw_cgmem raw_drss raw_mon; do R[$k]=NA; done

HAKOD_PID=""
HAKO_D=""
HAKO_CREATED=()
LXD_STARTED=""          # pid, or "systemd"
LXD_MOUNTS_BEFORE=""
LXD_TOUCHED=""
LXDC=/usr/bin/lxc       # Debian's LXD client (LXC's own tools are lxc-*)
RAW_P=""
RAW_CREATED=()
CLEANED=""

cleanup() {
  local rc=$?
  [ -n "$CLEANED" ] && return
  CLEANED=1
  set +e
  trap - ERR
  [ $rc -ne 0 ] && log "exit status $rc: cleaning up"
  quietly cleanup_hako
  quietly cleanup_lxd
  quietly cleanup_raw
  # lazily unmount anything still mounted below the temp dir, deepest first
  umount_below "$T"
  rm -rf --one-file-system "$T"
  return $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap '[[ $- == *e* ]] && log "failed at line $LINENO: $BASH_COMMAND"' ERR
# quietly MODE: run a cleanup function with errexit off, restoring the caller's errexit
quietly() { local old=$-; set +e; "$@"; [[ $old == *e* ]] && set -e; return 0; }

umount_below() {  # umount every mount point at or below $1, deepest first
  local base=$1 m
  [ -n "$base" ] || return 0
  awk -v b="$base" '{ gsub(/\\040/, " ", $5); if ($5 == b || index($5, b "/") == 1) print $5 }' /proc/self/mountinfo |
    awk '{ print length($0) "\t" $0 }' | sort -rn | cut -f2- |
    while IFS= read -r m; do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null; done
}

now_ns() { date +%s%N; }
ms_since() { awk -v a="$1" -v b="$(date +%s%N)" 'BEGIN { printf "%.1f", (b - a) / 1e6 }'; }
memavail_kb() { awk '/^MemAvailable:/ { print $2 }' /proc/meminfo; }
du_kb() { du -skx "$1" 2>/dev/null | awk '{ print $1 }'; }             # allocated blocks, one fs
du_app_kb() { du -skx --apparent-size "$1" 2>/dev/null | awk '{ print $1 }'; }
df_used_kb() { df -Pk "$1" | awk 'NR==2 { print $3 }'; }
settle() { sync; sleep "${1:-3}"; }
# MemAvailable is host-wide and other work on the machine moves it: take the median of 5 samples
memavail_med() { local i; for i in 1 2 3 4 5; do memavail_kb; sleep 0.3; done | sort -n | sed -n 3p; }
# memory charged to the container's cgroup (v1 memory.usage_in_bytes, or v2 memory.current), kB
cg_mem_kb() {  # cg_mem_kb PID NAME: the container's whole cgroup (cut at the path component naming it,
  local pid=$1 name=$2 p f   # since systemd inside moves init into a child cgroup like init.scope)
  [[ "$pid" =~ ^[0-9]+$ ]] || { echo NA; return; }
  p=$(awk -F: '$2 == "memory" { print $3 }' "/proc/$pid/cgroup" 2>/dev/null)
  if [ -n "$p" ]; then
    p=$(awk -v p="$p" -v n="$name" 'BEGIN { k = split(p, c, "/"); o = "";
      for (i = 2; i <= k; i++) { o = o "/" c[i]; if (index(c[i], n) && (c[i] == n || c[i] ~ ("[^A-Za-z0-9]" n "$"))) { print o; exit } }
      print p }')
    f=/sys/fs/cgroup/memory$p/memory.usage_in_bytes
  else
    p=$(awk -F: '$1 == "0" { print $3 }' "/proc/$pid/cgroup" 2>/dev/null)
    for f in "/sys/fs/cgroup/unified$p/memory.current" "/sys/fs/cgroup$p/memory.current"; do [ -r "$f" ] && break; done
  fi
  [ -r "$f" ] && awk '{ printf "%d", $1 / 1024 }' "$f" || echo NA
}
# monitor_pss_kb REGEX: summed PSS of the host-side [lxc monitor] processes whose cmdline matches
monitor_pss_kb() {
  local pid t=0 v
  for pid in $(pgrep -f -- "$1" || true); do
    v=$(awk '/^Pss:/ { print $2 }' "/proc/$pid/smaps_rollup" 2>/dev/null || true)
    t=$(( t + ${v:-0} ))
  done
  echo "$t"
}
# accounted PART: cgroup charge + monitor PSS/N + daemon RSS growth/N (each NA counts 0)
accounted() {
  local a=${R[${1}_cgmem]} b=${R[${1}_mon]} c=${R[${1}_drss]:-NA}
  [ "$a" = NA ] && { echo NA; return; }
  echo $(( a + ${b/NA/0} + ${c/NA/0} ))
}
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo NA; }
# cg_mem_tsv FILE NAME PID: record one container's cgroup memory
cg_mem_rec() { printf '%s\t%s\n' "$2" "$(cg_mem_kb "$3" "$2")" >>"$1"; }
mean_col2() { [ -s "$1" ] || { echo NA; return; }
  awk -F'\t' '$2 != "NA" { s += $2; n++ } END { if (n) printf "%d", s / n; else print "NA" }' "$1"; }

# timed FILE LABEL CMD...: run CMD, append "LABEL<TAB>ms" to FILE, fail loudly if CMD fails.
timed() {
  local file=$1 label=$2; shift 2
  local t0 out rc ms
  t0=$(now_ns)
  out=$("$@" 2>&1 </dev/null) && rc=0 || rc=$?
  ms=$(ms_since "$t0")
  if [ $rc -ne 0 ]; then
    printf '%s\n' "$out" | tail -20 | tee -a "$LOG" >&2
    die "command failed ($rc): $*"
  fi
  printf '%s\t%s\n' "$label" "$ms" >>"$file"
}

median() {  # median of column 2 of a tsv file, or NA
  [ -s "$1" ] || { echo NA; return; }
  cut -f2 "$1" | sort -g | awk '{ a[NR] = $1 } END {
    if (NR % 2) m = a[(NR + 1) / 2]; else m = (a[NR / 2] + a[NR / 2 + 1]) / 2; printf "%.1f", m }'
}
pctl() {  # pctl FILE P: nearest-rank percentile of column 2
  [ -s "$1" ] || { echo NA; return; }
  cut -f2 "$1" | sort -g | awk -v p="$2" '{ a[NR] = $1 } END { i = int((p / 100) * NR + 0.999999); if (i < 1) i = 1; printf "%.1f", a[i] }'
}
per_ct() { awk -v a="$1" -v b="$2" -v n="$N" 'BEGIN { printf "%d", (b - a) / n }'; }
ratio() { if [[ "$1" == NA || "$2" == NA ]] || awk -v d="$2" 'BEGIN { exit !(d == 0) }'; then echo NA;
          else awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; fi; }

# indices of the exec sample: about min(N,50) containers spread over 1..N
sample_idx() {
  local k=$(( N <= 50 ? 1 : (N + 49) / 50 )) i
  for (( i = 1; i <= N; i += k )); do echo "$i"; done
}

# ---------------------------------------------------------------- root file systems
build_busybox_rootfs() {  # the same recipe as Hako's `template build busybox` (TemplateStore.Busybox.cs)
  local r=$1 a d v
  [[ "$r" == "$T"/?* ]] || die "refusing to build a rootfs outside $T: '$r'"
  dpkg -s busybox-static >/dev/null 2>&1 ||
    { log "installing busybox-static"; DEBIAN_FRONTEND=noninteractive apt-get install -y busybox-static >>"$LOG" 2>&1; }
  v=$(/bin/busybox --help 2>&1 | sed -n 's/.*BusyBox v\([^ ]*\).*/\1/p' | head -1)
  mkdir -p "$r"; chmod 755 "$r"
  for d in bin sbin etc etc/init.d proc sys dev dev/pts run tmp root home var var/log usr usr/bin usr/sbin mnt; do
    mkdir -p "$r/$d"; chmod 755 "$r/$d"
  done
  chmod 1777 "$r/tmp"; chmod 700 "$r/root"
  install -m 755 /bin/busybox "$r/bin/busybox"
  for a in $(/bin/busybox --list-full); do
    case "$a" in /*|*..*|bin/busybox) continue ;; esac
    mkdir -p "$(dirname "$r/$a")"
    [ -e "$r/$a" ] || [ -L "$r/$a" ] || ln -s /bin/busybox "$r/$a"
  done
  printf '::sysinit:/etc/init.d/rcS\n::shutdown:/bin/umount -a -r\n' >"$r/etc/inittab"
  printf '%s\n' '#!/bin/sh' \
    '# Run once by busybox init. LXC has already mounted /proc, /sys and /dev.' \
    'mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs /run' \
    'mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs /tmp' \
    '[ -s /etc/hostname ] && hostname -F /etc/hostname' \
    'ip link set lo up' >"$r/etc/init.d/rcS"
  chmod 755 "$r/etc/init.d/rcS"
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$r/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$r/etc/group"
  printf 'root:!:0:0:99999:7:::\nnobody:!:0:0:99999:7:::\n' >"$r/etc/shadow"; chmod 600 "$r/etc/shadow"
  printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' >"$r/etc/hosts"
  printf 'NAME="BusyBox"\nID=busybox\nVERSION_ID="%s"\nPRETTY_NAME="BusyBox %s (Hako template)"\n' "$v" "$v" >"$r/etc/os-release"
  printf 'export PATH=/usr/sbin:/usr/bin:/sbin:/bin\n' >"$r/etc/profile"
  echo 'bench' >"$r/etc/hostname"
}

debian_mirror() {  # the configured Debian mirror (not the security one)
  local m
  m=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
      awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^https?:\/\//) { print $i; exit } }' |
      grep -v -- '-security' | head -1 || true)
  if [ -z "$m" ]; then
    m=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null |
        awk 'tolower($1) == "uris:" { for (i = 2; i <= NF; i++) print $i }' |
        grep -E '/debian/?$' | grep -v -- '-security' | head -1 || true)
  fi
  [ -n "$m" ] || die "no Debian mirror found in /etc/apt/sources.list*"
  echo "$m"
}

# The debootstrap rootfs is built once and kept as $CACHE/debian-12.tar.zst (rootfs at top level).
DEBIAN_TARBALL=$CACHE/debian-12.tar.zst
ensure_debian_tarball() {
  [ -s "$DEBIAN_TARBALL" ] && { log "debian-12 rootfs: using cached $DEBIAN_TARBALL"; return; }
  command -v debootstrap >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y debootstrap >>"$LOG" 2>&1
  command -v zstd >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y zstd >>"$LOG" 2>&1
  local mirror r t0
  mirror=$(debian_mirror)
  r=$T/debootstrap
  log "debootstrap minbase+systemd bookworm from $mirror (once; cached in $CACHE)"
  t0=$(now_ns)
  debootstrap --variant=minbase --include=systemd,systemd-sysv bookworm "$r" "$mirror" >>"$LOG" 2>&1 ||
    die "debootstrap failed (see $LOG)"
  rm -rf "$r"/var/cache/apt/archives/*.deb "$r"/var/lib/apt/lists/*
  echo 'bench' >"$r/etc/hostname"
  : >"$r/etc/machine-id"
  mkdir -p "$CACHE"
  tar -C "$r" --numeric-owner --xattrs -cf - . | zstd -q -T0 -o "$DEBIAN_TARBALL.tmp"
  mv "$DEBIAN_TARBALL.tmp" "$DEBIAN_TARBALL"
  rm -rf --one-file-system "$r"
  log "debian-12 rootfs built in $(ms_since "$t0") ms: $(du -h "$DEBIAN_TARBALL" | cut -f1)"
}

# make_rootfs DIR: the template's rootfs, owned by host root (unshifted)
make_rootfs() {
  [[ "$1" == "$T"/?* ]] || die "refusing to make a rootfs outside $T: '$1'"
  mkdir -p "$1"
  if [ "$TEMPLATE" = busybox ]; then build_busybox_rootfs "$1"
  else ensure_debian_tarball; zstd -q -dc "$DEBIAN_TARBALL" | tar -C "$1" --numeric-owner --xattrs -xf -; fi
}

# shift_tree DIR OFFSET: add OFFSET to every uid/gid (keeps setuid/setgid bits, which chown drops)
shift_tree() {
  [[ "$1" == "$T"/?* ]] || die "refusing to shift ids outside $T: '$1'"
  if [ "$TEMPLATE" = busybox ]; then chown -hR "$2:$2" "$1"; return; fi
  python3 - "$1" "$2" <<'EOF'
import os, stat, sys
root, off = sys.argv[1], int(sys.argv[2])
def fix(p):
    st = os.lstat(p)
    os.lchown(p, st.st_uid + off, st.st_gid + off)
    if not stat.S_ISLNK(st.st_mode) and st.st_mode & (stat.S_ISUID | stat.S_ISGID):
        os.chmod(p, stat.S_IMODE(st.st_mode))
fix(root)
for d, dirs, files in os.walk(root):
    for n in dirs + files:
        fix(os.path.join(d, n))
EOF
}

# ---------------------------------------------------------------- raw LXC (the floor)
cleanup_raw() {
  [ -n "$RAW_P" ] || return 0
  local n
  for n in "${RAW_CREATED[@]}"; do
    lxc-stop -P "$RAW_P" -n "$n" -k >/dev/null 2>&1
    umount "$T/raw/ct/$n/merged" 2>/dev/null || umount -l "$T/raw/ct/$n/merged" 2>/dev/null
  done
  RAW_CREATED=()
  umount_below "$T/raw"
  local c
  for c in /sys/fs/cgroup/*/hakobench-raw /sys/fs/cgroup/hakobench-raw; do
    [ -d "$c" ] || continue
    find "$c" -depth -type d -exec rmdir {} \; 2>/dev/null
  done
  RAW_P=""
}

ensure_subids() {
  local f
  for f in /etc/subuid /etc/subgid; do
    grep -q '^root:100000:65536$' "$f" 2>/dev/null || { echo 'root:100000:65536' >>"$f"; log "added root:100000:65536 to $f"; }
  done
}

raw_ready_wait() {  # debian: until systemd says running/degraded
  local n=$1 deadline=$(( $(date +%s) + 180 )) s
  while :; do
    s=$(lxc-attach -P "$RAW_P" -n "$n" -- /bin/systemctl is-system-running --wait 2>/dev/null </dev/null || true)
    case "$s" in running|degraded) printf "%s\t%s\n" "$n" "$s" >>"$RESULTS/systemd_state.tsv"; return 0 ;; esac
    [ "$(date +%s)" -lt "$deadline" ] || die "rawct $n: systemd not ready after 180 s (state '$s')"
    sleep 0.05
  done
}

run_raw() {
  log "== raw lxc-start: $N containers ($TEMPLATE, unprivileged, overlay)"
  command -v lxc-start >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y lxc >>"$LOG" 2>&1
  ensure_subids
  local base=$T/raw i n d t0 m0 m1 k0 k1
  RAW_P=$base/lxc
  mkdir -p "$RAW_P" "$base/ct"
  make_rootfs "$base/rootfs"
  shift_tree "$base/rootfs" 100000
  local init=/sbin/init
  k0=$(du_kb "$base/ct")
  m0=$(memavail_med)
  for (( i = 1; i <= N; i++ )); do
    n=rawct$i d=$base/ct/$n
    mkdir -p "$d/upper" "$d/work" "$d/merged" "$RAW_P/$n"
    chown 100000:100000 "$d/upper" "$d/work"
    mount -t overlay overlay -o "lowerdir=$base/rootfs,upperdir=$d/upper,workdir=$d/work" "$d/merged"
    RAW_CREATED+=("$n")
    cat >"$RAW_P/$n/config" <<EOF
lxc.include = /usr/share/lxc/config/common.conf
lxc.include = /usr/share/lxc/config/userns.conf
lxc.apparmor.profile = unconfined
lxc.idmap = u 0 100000 65536
lxc.idmap = g 0 100000 65536
lxc.rootfs.path = dir:$d/merged
lxc.uts.name = $n
lxc.signal.halt = SIGUSR2
lxc.net.0.type = empty
lxc.cgroup.dir = hakobench-raw/$n
lxc.init.cmd = $init
EOF
    t0=$(now_ns)
    timed "$RESULTS/raw_start.tsv" "$n" lxc-start -P "$RAW_P" -n "$n"
    if [ "$TEMPLATE" != busybox ]; then
      raw_ready_wait "$n"
      printf '%s\t%s\n' "$n" "$(ms_since "$t0")" >>"$RESULTS/raw_ready.tsv"
    fi
  done
  settle 3
  m1=$(memavail_med)
  k1=$(du_kb "$base/ct")
  for (( i = 1; i <= N; i++ )); do
    cg_mem_rec "$RESULTS/raw_cgmem.tsv" "rawct$i" "$(lxc-info -P "$RAW_P" -n "rawct$i" -p -H 2>/dev/null)"
  done
  R[raw_mon]=$(( $(monitor_pss_kb "^\[lxc monitor\] $RAW_P rawct") / N ))
  for i in $(sample_idx); do
    timed "$RESULTS/raw_exec.tsv" "rawct$i" lxc-attach -P "$RAW_P" -n "rawct$i" -- /bin/true
  done
  for (( i = 1; i <= N; i++ )); do
    timed "$RESULTS/raw_stop.tsv" "rawct$i" lxc-stop -P "$RAW_P" -n "rawct$i" -k
    umount "$base/ct/rawct$i/merged"
  done
  RAW_CREATED=()
  quietly cleanup_raw
  R[raw_start]=$(median "$RESULTS/raw_start.tsv")
  R[raw_ready]=$(median "$RESULTS/raw_ready.tsv")
  R[raw_exec]=$(median "$RESULTS/raw_exec.tsv")
  R[raw_stop]=$(median "$RESULTS/raw_stop.tsv")
  R[raw_mem]=$(per_ct "$m1" "$m0")
  R[raw_disk]=$(per_ct "$k0" "$k1")
  R[raw_cgmem]=$(mean_col2 "$RESULTS/raw_cgmem.tsv")
  log "raw: start p50 ${R[raw_start]} ms, exec p50 ${R[raw_exec]} ms, mem ${R[raw_mem]} kB/ct, disk ${R[raw_disk]} kB/ct"
}

# ---------------------------------------------------------------- LXD
lxd_up() { timeout 5 "$LXDC" query /1.0 >/dev/null 2>&1; }

lxd_remove_ours() {  # our containers, images, profile and pool, whatever state they are in
  local c
  for c in $(timeout 60 "$LXDC" list --format csv -c n 2>/dev/null | grep -E '^lxdct[0-9]+$' || true); do
    timeout 120 "$LXDC" delete --force "$c" >/dev/null 2>&1 || log "could not delete LXD container $c"
  done
  for c in bench-busybox bench-debian-12; do
    timeout 60 "$LXDC" image delete "$c" >/dev/null 2>&1 || true
  done
  timeout 60 "$LXDC" profile delete hakobench >/dev/null 2>&1 || true
  timeout 60 "$LXDC" storage delete benchpool >/dev/null 2>&1 || true
}

cleanup_lxd() {
  [ -n "$LXD_TOUCHED" ] || return 0
  if ! lxd_up && [ -n "$LXD_STARTED" ] && [ "$LXD_STARTED" != systemd ]; then
    log "lxd died: starting it again to remove our containers"
    start_lxd_daemon
    lxd waitready --timeout 60 >/dev/null 2>&1
  fi
  if lxd_up; then lxd_remove_ours; else log "LXD not reachable: lxdct* containers may be left"; fi
  if [ "$LXD_STARTED" = systemd ]; then
    systemctl stop lxd.service lxd.socket >/dev/null 2>&1
  elif [ -n "$LXD_STARTED" ]; then
    timeout 60 lxd shutdown >/dev/null 2>&1
    kill "$LXD_STARTED" 2>/dev/null && sleep 1
    kill -9 "$LXD_STARTED" 2>/dev/null
    wait "$LXD_STARTED" 2>/dev/null
    local m
    for m in /var/lib/lxd/devlxd /var/lib/lxd/shmounts; do
      if ! grep -qx "$m" <<<"$LXD_MOUNTS_BEFORE" && mountpoint -q "$m"; then umount "$m" 2>/dev/null || umount -l "$m"; fi
    done
  fi
  LXD_TOUCHED=""
}

# Own session (setsid): a Ctrl-C on the terminal must not reach the daemon before the trap has used
# it to delete our containers. Own network namespace with only lo: see the header.
start_lxd_daemon() {
  setsid unshare --net -- sh -c 'ip link set lo up 2>/dev/null; exec lxd --group root --logfile /var/log/lxd.log' \
    </dev/null >>"$LOG" 2>&1 &
  LXD_STARTED=$!
}

LXD_SETUP_MS=NA
setup_lxd() {
  local t0
  t0=$(now_ns)
  if ! command -v lxd >/dev/null || [ ! -x "$LXDC" ]; then
    log "installing lxd (Debian package, no recommends: no dnsmasq/apparmor needed without networks)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends lxd lxd-client >>"$LOG" 2>&1 ||
      die "apt-get install lxd failed"
    log "lxd installed in $(ms_since "$t0") ms"
  fi
  local v
  v=$(timeout 10 "$LXDC" version 2>&1 || true)   # fails when no daemon answers, still prints the client
  grep -q 'Client version' <<<"$v" || die "$LXDC is not LXD's client"
  LXD_TOUCHED=1
  if ! lxd_up; then
    if [ -d /run/systemd/system ]; then
      systemctl start lxd.socket lxd.service >>"$LOG" 2>&1 || die "systemctl start lxd failed"
      LXD_STARTED=systemd
    else
      LXD_MOUNTS_BEFORE=$(awk '{ print $5 }' /proc/self/mountinfo | grep '^/var/lib/lxd/' || true)
      log "starting lxd (no systemd here) in a network namespace with only lo"
      start_lxd_daemon
    fi
    lxd waitready --timeout 60 || die "lxd did not become ready (see /var/log/lxd.log)"
  else
    log "using the LXD daemon that is already running (it is left running)"
  fi
  lxd_remove_ours   # leftovers of an interrupted run
  cat >"$T/preseed.yaml" <<'EOF'
config: {}
networks: []
storage_pools:
- name: benchpool
  driver: dir
  description: hako bench (temporary)
profiles:
- name: hakobench
  description: hako bench (temporary) - root disk only, no network
  config:
    limits.memory: 128MiB
  devices:
    root:
      path: /
      pool: benchpool
      type: disk
EOF
  lxd init --preseed <"$T/preseed.yaml" >>"$LOG" 2>&1 || die "lxd init --preseed failed"
  LXD_SETUP_MS=$(ms_since "$t0")
  log "lxd ready (install if needed + start + init): $LXD_SETUP_MS ms"
}

lxd_pool_dir() {
  local s
  s=$("$LXDC" storage get benchpool source 2>/dev/null || true)
  [ -n "$s" ] && [ -d "$s" ] && { echo "$s"; return; }
  echo /var/lib/lxd/storage-pools/benchpool
}

lxd_ready_wait() {
  local n=$1 deadline=$(( $(date +%s) + 180 )) s
  while :; do
    s=$(timeout 150 "$LXDC" exec "$n" -- systemctl is-system-running --wait 2>/dev/null </dev/null || true)
    case "$s" in running|degraded) printf "%s\t%s\n" "$n" "$s" >>"$RESULTS/systemd_state.tsv"; return 0 ;; esac
    [ "$(date +%s)" -lt "$deadline" ] || die "$n: systemd not ready after 180 s (state '$s')"
    sleep 0.05
  done
}

run_lxd() {
  log "== LXD: $N containers ($TEMPLATE, unprivileged, dir pool, no network)"
  setup_lxd
  local img=$T/lxdimg i n t0 m0 m1 k0 k1 a0 a1 pool alias=bench-$TEMPLATE
  mkdir -p "$img"
  make_rootfs "$img/rootfs"
  cat >"$img/metadata.yaml" <<EOF
architecture: x86_64
creation_date: $(date +%s)
properties:
  description: hako bench $TEMPLATE
  os: $TEMPLATE
  release: bench
EOF
  tar -C "$img" --numeric-owner --xattrs -cf "$T/lxd-image.tar" metadata.yaml rootfs
  rm -rf --one-file-system "$img"
  timed "$RESULTS/lxd_setup.tsv" image_import "$LXDC" image import "$T/lxd-image.tar" --alias "$alias"
  rm -f "$T/lxd-image.tar"
  pool=$(lxd_pool_dir)
  local dpid r0 r1
  dpid=${LXD_STARTED//systemd/}; [ -n "$dpid" ] || dpid=$(pgrep -xo lxd || true)
  k0=$(du_kb "$pool"); a0=$(du_app_kb "$pool")
  m0=$(memavail_med); r0=$(rss_kb "$dpid")
  for (( i = 1; i <= N; i++ )); do
    n=lxdct$i
    t0=$(now_ns)
    timed "$RESULTS/lxd_create_start.tsv" "$n" "$LXDC" launch "$alias" "$n" -p hakobench
    if [ "$TEMPLATE" != busybox ]; then
      lxd_ready_wait "$n"
      printf '%s\t%s\n' "$n" "$(ms_since "$t0")" >>"$RESULTS/lxd_ready.tsv"
    fi
  done
  settle 3
  m1=$(memavail_med); r1=$(rss_kb "$dpid")
  k1=$(du_kb "$pool"); a1=$(du_app_kb "$pool")
  for (( i = 1; i <= N; i++ )); do
    cg_mem_rec "$RESULTS/lxd_cgmem.tsv" "lxdct$i" \
      "$("$LXDC" query "/1.0/instances/lxdct$i/state" 2>/dev/null | awk -F'[:,]' '/"pid"/ { gsub(/ /, "", $2); print $2; exit }')"
  done
  R[lxd_mon]=$(( $(monitor_pss_kb "^\[lxc monitor\] /var/lib/lxd/containers lxdct") / N ))
  for i in $(sample_idx); do
    timed "$RESULTS/lxd_exec.tsv" "lxdct$i" "$LXDC" exec "lxdct$i" -- true
  done
  for (( i = 1; i <= N; i++ )); do
    timed "$RESULTS/lxd_destroy.tsv" "lxdct$i" "$LXDC" delete --force "lxdct$i"
  done
  R[lxd_create]=$(median "$RESULTS/lxd_create_start.tsv")
  R[lxd_ready]=$(median "$RESULTS/lxd_ready.tsv")
  R[lxd_exec]=$(median "$RESULTS/lxd_exec.tsv")
  R[lxd_destroy]=$(median "$RESULTS/lxd_destroy.tsv")
  R[lxd_mem]=$(per_ct "$m1" "$m0")
  R[lxd_disk]=$(per_ct "$k0" "$k1")
  R[lxd_disk_app]=$(per_ct "$a0" "$a1")
  R[lxd_cgmem]=$(mean_col2 "$RESULTS/lxd_cgmem.tsv")
  [[ "$r0$r1" =~ ^[0-9]+$ ]] && R[lxd_drss]=$(per_ct "$r0" "$r1")
  log "lxd: create+start p50 ${R[lxd_create]} ms, exec p50 ${R[lxd_exec]} ms, delete p50 ${R[lxd_destroy]} ms, mem ${R[lxd_mem]} kB/ct, disk ${R[lxd_disk]} kB/ct"
  quietly cleanup_lxd
}

# ---------------------------------------------------------------- Hako
HAKO=""; HAKOD=""
# build_hako_bins: $HAKO_BIN_DIR if set, else `dotnet publish` from this repo (NativeAOT CLI if it builds)
build_hako_bins() {
  if [ -n "${HAKO_BIN_DIR:-}" ]; then
    HAKOD=$HAKO_BIN_DIR/hakod HAKO=$HAKO_BIN_DIR/hako
  else
    command -v dotnet >/dev/null || die "dotnet not found and HAKO_BIN_DIR not set"
    local out=$T/publish t0
    t0=$(now_ns)
    log "publishing hakod (src/Hako.Daemon) to $out/hakod"
    dotnet publish -nodeReuse:false -p:UseSharedCompilation=false "$REPO_DIR/src/Hako.Daemon" -c Release -o "$out/hakod" >>"$LOG" 2>&1 ||
      die "dotnet publish Hako.Daemon failed (see $LOG)"
    HAKOD=$out/hakod/hakod
    if [ "${BENCH_NO_AOT:-}" != 1 ] &&
       log "publishing hako (src/Hako.Cli) with -p:PublishAot=true" &&
       dotnet publish -nodeReuse:false -p:UseSharedCompilation=false "$REPO_DIR/src/Hako.Cli" -c Release -r linux-x64 -p:PublishAot=true -o "$out/hako-aot" >>"$LOG" 2>&1 &&
       [ -x "$out/hako-aot/hako" ]; then
      HAKO=$out/hako-aot/hako
      log "hako CLI: NativeAOT"
    else
      log "hako CLI: NativeAOT publish not available, normal publish"
      dotnet publish -nodeReuse:false -p:UseSharedCompilation=false "$REPO_DIR/src/Hako.Cli" -c Release -o "$out/hako" >>"$LOG" 2>&1 ||
        die "dotnet publish Hako.Cli failed (see $LOG)"
      HAKO=$out/hako/hako
    fi
    log "binaries published in $(ms_since "$t0") ms"
  fi
  [ -x "$HAKOD" ] || die "no hakod at $HAKOD"
  [ -x "$HAKO" ] || die "no hako at $HAKO"
}

cleanup_hako() {
  [ -n "$HAKO_D" ] || return 0
  local n
  if [ -n "$HAKOD_PID" ] && kill -0 "$HAKOD_PID" 2>/dev/null; then
    for n in "${HAKO_CREATED[@]}"; do timeout 60 "$HAKO" destroy --force "$n" >/dev/null 2>&1; done
    kill "$HAKOD_PID" 2>/dev/null
    for n in $(seq 50); do kill -0 "$HAKOD_PID" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$HAKOD_PID" 2>/dev/null
    wait "$HAKOD_PID" 2>/dev/null
  fi
  HAKO_CREATED=()
  # whatever hakod left: LXC containers under the data dir, mounts, loop devices, the bridge
  local cfg dir
  while IFS= read -r cfg; do
    dir=$(dirname "$cfg")
    grep -q '^lxc\.' "$cfg" 2>/dev/null || continue
    lxc-stop -P "$(dirname "$dir")" -n "$(basename "$dir")" -k >/dev/null 2>&1
  done < <(find "$HAKO_D" -xdev -maxdepth 6 -name config -type f 2>/dev/null)
  umount_below "$HAKO_D"
  losetup -n -l -O NAME,BACK-FILE 2>/dev/null | awk -v b="$HAKO_D/" 'index($2, b) == 1 { print $1 }' |
    while read -r n; do losetup -d "$n" 2>/dev/null; done
  ip link show hakobench0 >/dev/null 2>&1 && ip link del hakobench0 2>/dev/null
  # hakod's per-node cgroup parents (hako-<node-name>[.monitor]); rmdir only removes empty ones
  for n in /sys/fs/cgroup/*/hako-bench /sys/fs/cgroup/*/hako-bench.monitor /sys/fs/cgroup/hako-bench /sys/fs/cgroup/hako-bench.monitor; do
    [ -d "$n" ] && find "$n" -depth -type d -exec rmdir {} \; 2>/dev/null
  done
  rm -rf --one-file-system "$HAKO_D"
  HAKO_D=""
}

hako_init_pid() {  # the container's init pid, through LXC and the lxcPath that `hako list --json` gives
  local lp
  lp=$("$HAKO" list --json 2>/dev/null | python3 -c '
import json, sys
d = json.load(sys.stdin)
d = d.get("containers", d) if isinstance(d, dict) else d
for c in d:
    if c.get("name") == sys.argv[1] and c.get("lxcPath"):
        print(c["lxcPath"])
' "$1" 2>/dev/null) || true
  [ -n "$lp" ] && lxc-info -P "$lp" -n "$1" -p -H 2>/dev/null || echo NA
}

hako_ready_wait() {
  local n=$1 deadline=$(( $(date +%s) + 180 )) s
  while :; do
    s=$(timeout 150 "$HAKO" exec "$n" -- systemctl is-system-running --wait 2>/dev/null </dev/null || true)
    case "$s" in running|degraded) printf "%s\t%s\n" "$n" "$s" >>"$RESULTS/systemd_state.tsv"; return 0 ;; esac
    [ "$(date +%s)" -lt "$deadline" ] || die "$n: systemd not ready after 180 s (state '$s')"
    sleep 0.05
  done
}

run_hako() {
  log "== Hako: $N containers ($TEMPLATE)"
  build_hako_bins
  HAKO_D=$T/hako
  mkdir -p "$HAKO_D"
  setsid "$HAKOD" --data-dir "$HAKO_D" --socket "$HAKO_D/hako.sock" --bridge hakobench0 \
    --subnet 10.251.0.0/16 --node-name bench </dev/null >>"$RESULTS/hakod.log" 2>&1 &
  HAKOD_PID=$!
  export HAKO_SOCKET=$HAKO_D/hako.sock
  local i n t0 deadline=$(( $(date +%s) + 60 ))
  until [ -S "$HAKO_SOCKET" ] && "$HAKO" list >/dev/null 2>&1; do
    kill -0 "$HAKOD_PID" 2>/dev/null || { tail -20 "$RESULTS/hakod.log" >&2; die "hakod exited"; }
    [ "$(date +%s)" -lt "$deadline" ] || die "hakod not answering on $HAKO_SOCKET after 60 s"
    sleep 0.1
  done
  if [ "$TEMPLATE" = busybox ]; then
    timed "$RESULTS/hako_setup.tsv" template_build "$HAKO" template build busybox
  else
    ensure_debian_tarball
    timed "$RESULTS/hako_setup.tsv" template_import "$HAKO" template import debian-12 "$DEBIAN_TARBALL"
  fi
  local k0 k1 a0 a1 f0 f1 m0 m1 r0 r1
  sync
  k0=$(du_kb "$HAKO_D"); a0=$(du_app_kb "$HAKO_D"); f0=$(df_used_kb "$HAKO_D")
  m0=$(memavail_med); r0=$(rss_kb "$HAKOD_PID")
  for (( i = 1; i <= N; i++ )); do
    n=ct$i
    HAKO_CREATED+=("$n")
    t0=$(now_ns)
    timed "$RESULTS/hako_create_start.tsv" "$n" "$HAKO" create "$n" --template "$TEMPLATE" --disk 1G --memory 128M --network none --start
    if [ "$TEMPLATE" != busybox ]; then
      hako_ready_wait "$n"
      printf '%s\t%s\n' "$n" "$(ms_since "$t0")" >>"$RESULTS/hako_ready.tsv"
    fi
  done
  settle 3
  m1=$(memavail_med); r1=$(rss_kb "$HAKOD_PID")
  k1=$(du_kb "$HAKO_D"); a1=$(du_app_kb "$HAKO_D"); f1=$(df_used_kb "$HAKO_D")
  for (( i = 1; i <= N; i++ )); do
    cg_mem_rec "$RESULTS/hako_cgmem.tsv" "ct$i" "$(hako_init_pid "ct$i")"
  done
  R[hako_mon]=$(( $(monitor_pss_kb "^\[lxc monitor\] $HAKO_D/.* ct[0-9]+\$") / N ))
  for i in $(sample_idx); do
    timed "$RESULTS/hako_exec.tsv" "ct$i" "$HAKO" exec "ct$i" -- true
  done
  for i in 1 2 3 4 5; do
    timed "$RESULTS/hako_list.tsv" "list$i" "$HAKO" list
  done
  for (( i = 1; i <= N; i++ )); do
    timed "$RESULTS/hako_destroy.tsv" "ct$i" "$HAKO" destroy --force "ct$i"
  done
  HAKO_CREATED=()
  quietly cleanup_hako
  R[hako_create]=$(median "$RESULTS/hako_create_start.tsv")
  R[hako_ready]=$(median "$RESULTS/hako_ready.tsv")
  R[hako_exec]=$(median "$RESULTS/hako_exec.tsv")
  R[hako_list]=$(median "$RESULTS/hako_list.tsv")
  R[hako_destroy]=$(median "$RESULTS/hako_destroy.tsv")
  R[hako_mem]=$(per_ct "$m1" "$m0")
  R[hako_disk]=$(per_ct "$k0" "$k1")
  R[hako_disk_app]=$(per_ct "$a0" "$a1")
  R[hako_df]=$(per_ct "$f0" "$f1")
  R[hako_cgmem]=$(mean_col2 "$RESULTS/hako_cgmem.tsv")
  [[ "$r0$r1" =~ ^[0-9]+$ ]] && R[hako_drss]=$(per_ct "$r0" "$r1")
  log "hako: create+start p50 ${R[hako_create]} ms, exec p50 ${R[hako_exec]} ms, destroy p50 ${R[hako_destroy]} ms, list ${R[hako_list]} ms"
}

# ---------------------------------------------------------------- run
log "hako bench: N=$N template=$TEMPLATE parts=$PARTS results=$RESULTS tmp=$T"
log "host: $(uname -r), $(nproc) cpus, MemAvailable $(memavail_kb) kB"
START_ALL=$(now_ns)
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
has_part raw && run_raw
has_part lxd && run_lxd
has_part hako && run_hako

# In debian-12 mode "create+start" is until systemd inside reports running/degraded.
if [ "$TEMPLATE" = busybox ]; then
  HC=${R[hako_create]} LC=${R[lxd_create]} RC=${R[raw_start]}
else
  HC=${R[hako_ready]} LC=${R[lxd_ready]} RC=${R[raw_ready]}
fi

{
  echo
  echo "Provisioning benchmark: N=$N template=$TEMPLATE parts=$PARTS ($(nproc) cpus, $(uname -r)), $(ms_since "$START_ALL") ms total"
  if [ "$TEMPLATE" = busybox ]; then
    echo "create+start = until the create/launch/lxc-start command returns (init running)"
  else
    echo "create+start = until 'systemctl is-system-running --wait' inside says running/degraded;"
    echo "cmd returns  = until the create/launch/lxc-start command itself returns"
  fi
  printf '%-30s %12s %12s %12s %10s %10s\n' metric Hako LXD raw-LXC Hako/LXD Hako/raw
  row() { printf '%-30s %12s %12s %12s %10s %10s\n' "$1" "$2" "$3" "$4" "$(ratio "$2" "$3")" "$(ratio "$2" "$4")"; }
  row "create+start p50 ms" "$HC" "$LC" "$RC"
  if [ "$TEMPLATE" != busybox ]; then
    row "  cmd returns p50 ms" "${R[hako_create]}" "${R[lxd_create]}" "${R[raw_start]}"
  fi
  if [ "$TEMPLATE" = busybox ]; then HF=hako_create_start LF=lxd_create_start RF=raw_start; else HF=hako_ready LF=lxd_ready RF=raw_ready; fi
  row "create+start p90 ms" "$(pctl "$RESULTS/$HF.tsv" 90)" "$(pctl "$RESULTS/$LF.tsv" 90)" "$(pctl "$RESULTS/$RF.tsv" 90)"
  row "exec true p50 ms" "${R[hako_exec]}" "${R[lxd_exec]}" "${R[raw_exec]}"
  row "destroy (stop+del) p50 ms" "${R[hako_destroy]}" "${R[lxd_destroy]}" "${R[raw_stop]}"
  row "disk kB/ct (allocated)" "${R[hako_disk]}" "${R[lxd_disk]}" "${R[raw_disk]}"
  row "disk kB/ct (apparent)" "${R[hako_disk_app]}" "${R[lxd_disk_app]}" NA
  row "disk kB/ct (df delta)" "${R[hako_df]}" NA NA
  row "host mem kB/ct (MemAvailable)" "${R[hako_mem]}" "${R[lxd_mem]}" "${R[raw_mem]}"
  row "cgroup mem kB/ct (charged)" "${R[hako_cgmem]}" "${R[lxd_cgmem]}" "${R[raw_cgmem]}"
  row "  lxc monitor PSS kB/ct" "${R[hako_mon]}" "${R[lxd_mon]}" "${R[raw_mon]}"
  row "  daemon RSS growth kB/ct" "${R[hako_drss]}" "${R[lxd_drss]}" NA
  row "  accounted kB/ct (sum)" "$(accounted hako)" "$(accounted lxd)" "$(accounted raw)"
  row "list with N running ms" "${R[hako_list]}" NA NA
  echo "load average at start: $LOAD0; at end: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine adds noise)"
  echo "raw-LXC 'destroy' is lxc-stop -k only; raw disk is the overlay upper dirs; LXD setup $LXD_SETUP_MS ms"
  echo "per-container timings: $RESULTS"
} | tee -a "$RESULTS/summary.txt"

# mem_kb_per_ct is the accounted sum (cgroup charge + LXC monitor PSS + hakod RSS growth, per
# container): MemAvailable moves by megabytes with whatever else runs on a shared machine.
LAST="hako N=$N create_start_ms_p50=$HC exec_ms_p50=${R[hako_exec]} destroy_ms_p50=${R[hako_destroy]} disk_kb_per_ct=${R[hako_disk]} mem_kb_per_ct=$(accounted hako) list_ms=${R[hako_list]} lxd_create_start_ms_p50=$LC lxd_destroy_ms_p50=${R[lxd_destroy]} raw_lxc_start_ms_p50=$RC"
echo "$LAST" >>"$RESULTS/summary.txt"
quietly cleanup
trap - EXIT
echo "$LAST"
exit 0
}
