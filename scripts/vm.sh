#!/usr/bin/env bash
# The VM lane: Hako's real target host (Debian 12, systemd as PID 1, the unified cgroup v2
# hierarchy, Debian's own kernel) as a qemu VM on a machine that is none of these.
#
#   scripts/vm.sh build [--rebuild]   make (or reuse) the image under /var/cache/hako-vm
#   scripts/vm.sh run [OPTIONS] -- CMD...
#                                     boot it, run CMD as root in a writable copy of this
#                                     repository, pass CMD's output and exit code back, power off
#   scripts/vm.sh shell               boot it with a root shell on the serial console (debugging)
#
# run OPTIONS: --mem MB (default 4096), --cpus N (default 2), --timeout SECONDS (default 3600),
#              --console (also print the guest's boot console).
# CMD is joined with spaces and run by bash (ssh's rule): `run -- 'make; echo $?'`, in the
# repository, which the guest sees at the host's path (and at /hako/repo).
#
# The guest boots Debian's linux-image-amd64 straight from the kernel and initrd extracted from
# the image (no bootloader). Its disk is the cached image opened with snapshot=on: every run
# starts from the same clean system and nothing it writes survives. Shares (virtio-9p, read-only):
# the repository (overlaid in the guest with a writable layer at /hako/repo), the host's .NET SDK
# (/usr/share/dotnet) and NuGet package caches (~/.nuget/packages, /opt/nuget/packages), so that
# builds and tests run inside without network. The guest has NO network device (-nic none):
# nothing it does can reach the outside.
#
# Acceleration: TCG (-accel tcg -cpu max, no KVM needed); HAKO_VM_ACCEL=kvm uses KVM where it works.
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${HAKO_VM_CACHE:-/var/cache/hako-vm}
SUITE=bookworm
MIRROR=${HAKO_VM_MIRROR:-http://deb.debian.org/debian}
# Bump when the way the image is made changes (not only its package list).
IMAGE_VERSION=5
IMAGE_SIZE=${HAKO_VM_DISK:-24G}

die() { echo "vm.sh: $*" >&2; exit 2; }

# ---------------------------------------------------------------------------------------------
# Package list: the guest system, Hako's own packages (scripts/deps.sh PKGS) and the test-only
# ones (test.sh), read from those scripts so that the image follows them.
base_packages() {
  echo systemd systemd-sysv dbus udev kmod linux-image-amd64 initramfs-tools procps util-linux \
    iproute2 less ca-certificates python3 libicu72 libssl3 zlib1g libstdc++6 \
    apparmor criu attr psmisc file
}
hako_packages() {
  local deps test
  deps=$(sed -n 's/^PKGS=(\(.*\))$/\1/p' "$REPO/scripts/deps.sh")
  [ -n "$deps" ] || die "cannot read PKGS=(...) from scripts/deps.sh"
  # test.sh: `for p in tmux python3-prometheus-client; do` (its test-only packages).
  test=$(sed -n 's/^for p in \([^$"]*\); do$/\1/p' "$REPO/test.sh")
  [ -n "$test" ] || die "cannot read the test-only package list from test.sh"
  echo "$deps $test"
}
all_packages() { echo "$(base_packages) $(hako_packages)" | tr ' ' '\n' | sed '/^$/d' | sort -u; }
stamp() { { echo "version=$IMAGE_VERSION suite=$SUITE mirror=$MIRROR size=$IMAGE_SIZE"; all_packages; } | sha256sum | cut -c1-16; }

need_host_tools() {
  local missing=() p
  for p in qemu-system-x86 qemu-utils debootstrap e2fsprogs debian-archive-keyring; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if ((${#missing[@]})); then
    echo "vm.sh: installing ${missing[*]}" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

# ---------------------------------------------------------------------------------------------
cmd_build() {
  local rebuild=0
  for a in "$@"; do
    case $a in --rebuild) rebuild=1 ;; *) die "build: unknown option $a (use --rebuild)" ;; esac
  done
  [ "$(id -u)" = 0 ] || die "run as root (debootstrap, chroot)"
  need_host_tools
  local want; want=$(stamp)
  if [ $rebuild = 0 ] && [ -f "$CACHE/image.raw" ] && [ "$(cat "$CACHE/stamp" 2>/dev/null)" = "$want" ]; then
    echo "vm.sh: image is current ($CACHE, stamp $want)"
    return 0
  fi
  mkdir -p "$CACHE"
  local t0=$SECONDS root="$CACHE/rootfs.tmp"
  cleanup_build() {
    for m in dev/pts dev proc sys; do umount -l "$root/$m" 2>/dev/null || true; done
    rm -rf "$root"
  }
  cleanup_build
  trap cleanup_build EXIT

  echo "vm.sh: debootstrap $SUITE from $MIRROR"
  debootstrap --variant=minbase --include=apt-utils,ca-certificates "$SUITE" "$root" "$MIRROR" \
    >"$CACHE/debootstrap.log" 2>&1 || { tail -20 "$CACHE/debootstrap.log" >&2; die "debootstrap failed (log: $CACHE/debootstrap.log)"; }

  # apt inside the chroot reaches the mirror the way the host's apt does (same sources, same
  # Acquire settings, e.g. a proxy or a snapshot's Valid-Until override).
  cat >"$root/etc/apt/sources.list" <<EOF
deb $MIRROR $SUITE main
deb $MIRROR $SUITE-updates main
deb ${MIRROR%/debian}/debian-security $SUITE-security main
EOF
  local f
  for f in /etc/apt/apt.conf.d/*; do
    grep -qiE 'proxy|Check-Valid-Until|Check-Date' "$f" && cp "$f" "$root/etc/apt/apt.conf.d/" || true
  done
  cp /etc/resolv.conf "$root/etc/resolv.conf"
  printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"; chmod +x "$root/usr/sbin/policy-rc.d"
  mount -t proc proc "$root/proc"; mount -t sysfs sys "$root/sys"
  mount --bind /dev "$root/dev"; mount --bind /dev/pts "$root/dev/pts"

  echo "vm.sh: installing $(all_packages | wc -l) packages"
  # shellcheck disable=SC2046
  if ! chroot "$root" /bin/sh -c "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(all_packages | tr '\n' ' ')" \
      >"$CACHE/apt.log" 2>&1; then
    tail -30 "$CACHE/apt.log" >&2; die "apt-get install in the image failed (log: $CACHE/apt.log)"
  fi
  chroot "$root" apt-get clean

  configure_guest "$root"

  for m in dev/pts dev proc sys; do umount -l "$root/$m"; done
  rm -f "$root/usr/sbin/policy-rc.d"

  local kver
  kver=$(basename "$(ls -d "$root"/lib/modules/* | sort -V | tail -1)")
  cp "$root/boot/vmlinuz-$kver" "$CACHE/vmlinuz.new"
  cp "$root/boot/initrd.img-$kver" "$CACHE/initrd.img.new"

  echo "vm.sh: making the $IMAGE_SIZE ext4 image (sparse)"
  rm -f "$CACHE/image.raw.new"
  truncate -s "$IMAGE_SIZE" "$CACHE/image.raw.new"
  mkfs.ext4 -q -F -L hakovm -d "$root" "$CACHE/image.raw.new"
  mv -f "$CACHE/vmlinuz.new" "$CACHE/vmlinuz"
  mv -f "$CACHE/initrd.img.new" "$CACHE/initrd.img"
  mv -f "$CACHE/image.raw.new" "$CACHE/image.raw"
  echo "$kver" >"$CACHE/kernel-version"
  echo "$want" >"$CACHE/stamp"
  cleanup_build; trap - EXIT
  echo "vm.sh: image built in $((SECONDS - t0)) s: $CACHE/image.raw (kernel $kver, stamp $want)"
}

configure_guest() {
  local root=$1
  echo hakovm >"$root/etc/hostname"
  printf '127.0.0.1 localhost\n127.0.1.1 hakovm\n' >"$root/etc/hosts"
  # No network in the guest: an empty resolver, and nothing waits for a network that never comes.
  : >"$root/etc/resolv.conf"
  cat >"$root/etc/fstab" <<'EOF'
LABEL=hakovm /        ext4 rw,errors=remount-ro 0 1
hakosrc      /hako/src 9p   trans=virtio,version=9p2000.L,ro,msize=262144,cache=loose,nofail 0 0
hakoctl      /hako/ctl 9p   trans=virtio,version=9p2000.L,rw,msize=262144,nofail 0 0
hakodotnet   /usr/share/dotnet 9p trans=virtio,version=9p2000.L,ro,msize=262144,cache=loose,nofail 0 0
hakonuget    /hako/nuget/home 9p trans=virtio,version=9p2000.L,ro,msize=262144,cache=loose,nofail 0 0
hakonugetopt /hako/nuget/opt  9p trans=virtio,version=9p2000.L,ro,msize=262144,cache=loose,nofail 0 0
EOF
  mkdir -p "$root/hako/src" "$root/hako/ctl" "$root/hako/nuget/home" "$root/hako/nuget/opt" \
    "$root/usr/share/dotnet" "$root/root/.nuget/packages" "$root/opt/nuget/packages"
  printf '9p\n9pnet_virtio\noverlay\n' >"$root/etc/modules-load.d/hako-vm.conf"
  ln -sf /usr/share/dotnet/dotnet "$root/usr/bin/dotnet"
  # Root's password is empty on the serial console only (`vm.sh shell`); there is no network.
  chroot "$root" passwd -d root >/dev/null
  mkdir -p "$root/etc/systemd/system/serial-getty@ttyS0.service.d"
  cat >"$root/etc/systemd/system/serial-getty@ttyS0.service.d/autologin.conf" <<'EOF'
[Service]
ExecStart=
ExecStart=-/sbin/agetty --autologin root --keep-baud 115200 %I $TERM
EOF

  # The runner itself comes from the host with each run (runner_script), so changing it needs no rebuild.
  cat >"$root/usr/local/sbin/hako-vm-run" <<'EOF'
#!/bin/sh
[ -f /hako/ctl/runner ] || exit 0   # booted by `vm.sh shell`
exec /bin/bash /hako/ctl/runner
EOF
  chmod +x "$root/usr/local/sbin/hako-vm-run"
  cat >"$root/etc/systemd/system/hako-vm-run.service" <<'EOF'
[Unit]
Description=Run the command handed in by scripts/vm.sh
After=local-fs.target remote-fs.target systemd-modules-load.service

[Service]
Type=simple
ExecStart=/usr/local/sbin/hako-vm-run
StandardInput=null

[Install]
WantedBy=multi-user.target
EOF
  chroot "$root" systemctl enable hako-vm-run.service >/dev/null 2>&1
  # Nothing here can use these without a network; they would only slow the boot down.
  chroot "$root" systemctl mask apt-daily.timer apt-daily-upgrade.timer systemd-networkd-wait-online.service \
    e2scrub_all.timer fstrim.timer man-db.timer >/dev/null 2>&1 || true
}

# ---------------------------------------------------------------------------------------------
runner_script() {
  cat <<'EOF'
#!/bin/bash
# Runs /hako/ctl/cmd (written by scripts/vm.sh run) once the boot is done, writes its output to
# the host's stdout (virtio port hako.out) and its exit code to /hako/ctl/rc, then powers off.
out=/dev/virtio-ports/hako.out
exec >"$out" 2>&1
# NuGet caches and the repository: read-only shares with a writable layer on the guest's disk.
layer() {  # layer LOWER TARGET NAME
  mkdir -p "/var/lib/hako-vm/$3/upper" "/var/lib/hako-vm/$3/work" "$2"
  mount -t overlay "hako-$3" -o "lowerdir=$1,upperdir=/var/lib/hako-vm/$3/upper,workdir=/var/lib/hako-vm/$3/work" "$2"
}
# The repository sits at the host's path too, so that the host's obj/ and bin/ stay up to date
# (MSBuild records absolute paths) and a build inside does not start from scratch.
layer /hako/src /hako/repo repo
. /hako/ctl/env
if [ -n "${HAKO_VM_REPO:-}" ] && [ "$HAKO_VM_REPO" != /hako/repo ]; then
  mkdir -p "$HAKO_VM_REPO" && mount --bind /hako/repo "$HAKO_VM_REPO"
fi
layer /hako/nuget/home /root/.nuget/packages nuget-home
layer /hako/nuget/opt /opt/nuget/packages nuget-opt
state=$(systemctl is-system-running --wait 2>/dev/null)
echo "$state" >/hako/ctl/boot-state
date +%s.%N >/hako/ctl/t-ready
set -a; . /hako/ctl/env; set +a
cd "${HAKO_VM_REPO:-/hako/repo}"
bash /hako/ctl/cmd </dev/null
rc=$?
date +%s.%N >/hako/ctl/t-done
echo $rc >/hako/ctl/rc.tmp && mv /hako/ctl/rc.tmp /hako/ctl/rc
sync
echo o >/proc/sysrq-trigger
EOF
}

accel_args() {
  # TCG unless asked: on this machine /dev/kvm opens and qemu starts with it, but the guest never
  # gets past the firmware (no nested virtualization), so "it opens" is no test of "it works".
  if [ "${HAKO_VM_ACCEL:-tcg}" = kvm ]; then
    echo "-accel kvm -cpu host"
  else
    echo "-accel tcg,thread=multi -cpu max"
  fi
}

boot() {  # boot MODE(run|shell) MEM CPUS TIMEOUT CONSOLE CTL
  local mode=$1 mem=$2 cpus=$3 timeout=$4 console=$5 ctl=$6
  [ -f "$CACHE/image.raw" ] || die "no image yet: run scripts/vm.sh build"
  local share=()
  add_share() {  # add_share TAG PATH ro|rw
    local ro=; [ "$3" = ro ] && ro=,readonly=on
    mkdir -p "$2" 2>/dev/null || true
    share+=(-fsdev "local,id=$1,path=$2,security_model=none$ro" -device "virtio-9p-pci,fsdev=$1,mount_tag=$1")
  }
  add_share hakosrc "$REPO" ro
  add_share hakoctl "$ctl" rw
  add_share hakodotnet /usr/share/dotnet ro
  add_share hakonuget "${HOME:-/root}/.nuget/packages" ro
  add_share hakonugetopt /opt/nuget/packages ro
  local cmdline="root=LABEL=hakovm rw console=ttyS0,115200 systemd.unified_cgroup_hierarchy=1 net.ifnames=0 panic=-1 systemd.show_status=0 loglevel=4"
  local io=() stdin=/dev/null
  if [ "$mode" = shell ]; then
    io=(-nographic); stdin=/dev/stdin
  else
    # ttyS0 (kernel + systemd console) goes to a log; CMD's output comes on a virtio port on stdout.
    if [ "$console" = 1 ]; then io=(-serial "file:/dev/stderr"); else io=(-serial "file:$ctl/console.log"); fi
    # (A stdio chardev would see stdin's EOF as the host hanging up, and the guest's writes would block.)
    io+=(-display none -monitor none -device virtio-serial-pci
         -chardev "file,id=hakoout,path=$ctl/out" -device virtserialport,chardev=hakoout,name=hako.out)
    : >"$ctl/out"
  fi
  # shellcheck disable=SC2046
  timeout -k 10 "$timeout" qemu-system-x86_64 $(accel_args) -smp "$cpus" -m "$mem" \
    -machine q35 -no-reboot -nic none \
    -kernel "$CACHE/vmlinuz" -initrd "$CACHE/initrd.img" -append "$cmdline" \
    -drive "file=$CACHE/image.raw,if=virtio,format=raw,snapshot=on,cache=unsafe" \
    -object rng-random,id=rng,filename=/dev/urandom -device virtio-rng-pci,rng=rng \
    "${share[@]}" "${io[@]}" <"$stdin" &
  local qpid=$! rc=0
  [ "$mode" = shell ] || tail -n +1 -F --pid=$qpid "$ctl/out" 2>/dev/null &
  local tpid=$!
  wait $qpid || rc=$?
  wait $tpid 2>/dev/null || true
  return $rc
}

cmd_run() {
  local mem=${HAKO_VM_MEM:-4096} cpus=${HAKO_VM_CPUS:-2} timeout=${HAKO_VM_TIMEOUT:-3600} console=0
  while (($#)); do
    case $1 in
      --mem) mem=$2; shift 2 ;;
      --cpus) cpus=$2; shift 2 ;;
      --timeout) timeout=$2; shift 2 ;;
      --console) console=1; shift ;;
      --) shift; break ;;
      *) die "run: unknown option $1 (usage: vm.sh run [--mem MB] [--cpus N] [--timeout S] [--console] -- CMD...)" ;;
    esac
  done
  (($#)) || die "run: give a command after --"
  [ "$(id -u)" = 0 ] || die "run as root"
  need_host_tools
  [ "$(cat "$CACHE/stamp" 2>/dev/null)" = "$(stamp)" ] || die "the image is missing or stale (package list changed): run scripts/vm.sh build"
  local ctl; ctl=$(mktemp -d /tmp/hako-vm.XXXXXX)
  # shellcheck disable=SC2064
  trap "rm -rf '$ctl'" EXIT
  printf '%s\n' "$*" >"$ctl/cmd"
  runner_script >"$ctl/runner"
  {
    echo "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
    echo "HOME=/root"; echo "TERM=dumb"; echo "LANG=C.UTF-8"
    echo "DOTNET_CLI_TELEMETRY_OPTOUT=1"; echo "DOTNET_NOLOGO=1"; echo "DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1"
    echo "DOTNET_CLI_WORKLOAD_UPDATE_NOTIFY_DISABLE=true"; echo "DOTNET_GENERATE_ASPNET_CERTIFICATE=false"
    echo "NUGET_CERT_REVOCATION_MODE=offline"; echo "HAKO_IN_VM=1"; echo "HAKO_VM_REPO=$REPO"
  } >"$ctl/env"
  local t0; t0=$(date +%s.%N)
  local qrc=0
  boot run "$mem" "$cpus" "$timeout" "$console" "$ctl" || qrc=$?
  local t1; t1=$(date +%s.%N)
  if [ ! -f "$ctl/rc" ]; then
    echo "vm.sh: the guest did not report an exit code (qemu exit $qrc; timeout ${timeout}s). Console tail:" >&2
    tail -40 "$ctl/console.log" >&2 2>/dev/null || true
    exit 125
  fi
  if [ -f "$ctl/t-ready" ]; then
    awk -v a="$t0" -v r="$(cat "$ctl/t-ready")" -v d="$(cat "$ctl/t-done")" -v e="$t1" -v s="$(cat "$ctl/boot-state")" \
      -v acc="$(accel_args | cut -d' ' -f2 | cut -d, -f1)" \
      'BEGIN { printf "vm.sh: %s, boot %.1f s (system %s), command %.1f s, power-off %.1f s\n", acc, r-a, s, d-r, e-d }' >&2
  fi
  exit "$(cat "$ctl/rc")"
}

cmd_shell() {
  [ "$(id -u)" = 0 ] || die "run as root"
  local ctl; ctl=$(mktemp -d /tmp/hako-vm.XXXXXX)
  # shellcheck disable=SC2064
  trap "rm -rf '$ctl'" EXIT
  echo "vm.sh: root shell on the serial console; 'poweroff' ends it (Ctrl-A X kills qemu)" >&2
  boot shell "${HAKO_VM_MEM:-4096}" "${HAKO_VM_CPUS:-2}" 86400 0 "$ctl"
}

case ${1:-} in
  build) shift; cmd_build "$@" ;;
  run) shift; cmd_run "$@" ;;
  shell) shift; cmd_shell "$@" ;;
  *) echo "usage: scripts/vm.sh build [--rebuild] | run [--mem MB] [--cpus N] [--timeout S] [--console] -- CMD... | shell" >&2; exit 2 ;;
esac
