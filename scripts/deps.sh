#!/usr/bin/env bash
# Installs what Hako needs on Debian 12 (idempotent) and prepares the host:
# LXC and its tools, lxcfs, busybox-static for the offline template, e2fsprogs for private areas,
# iproute2/iptables for the bridge, nftables for anti-spoofing on it, uidmap + /etc/subuid for unprivileged containers.
set -euo pipefail

PKGS=(lxc lxcfs uidmap busybox-static e2fsprogs iproute2 iptables nftables debootstrap sqlite3 zstd xz-utils bzip2 gzip tar curl)

# On a kernel with AppArmor (Debian 12's default) LXC loads a generated profile per container with
# apparmor_parser: without the apparmor package containers cannot start there.
if [ "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" = Y ]; then
  PKGS+=(apparmor)
fi

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "hako: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v dotnet >/dev/null; then
  echo "hako: the .NET 10 SDK is needed to build Hako and is not on PATH." >&2
  echo "      Install it from Microsoft's packages (dotnet-sdk-10.0), then run this again." >&2
  exit 1
fi

# Container root maps to host uids 100000..165535 (lxc.idmap); newuidmap needs the range delegated to root.
grep -q '^root:100000:65536$' /etc/subuid 2>/dev/null || echo 'root:100000:65536' >> /etc/subuid
grep -q '^root:100000:65536$' /etc/subgid 2>/dev/null || echo 'root:100000:65536' >> /etc/subgid

# lxcfs gives each container its own /proc/meminfo, cpuinfo and uptime.
# A lxcfs that died leaves its FUSE mount behind ("Transport endpoint is not connected"):
# detach that stale mount first, then start a fresh one.
if grep -q ' /var/lib/lxcfs fuse' /proc/mounts && ! stat /var/lib/lxcfs/proc >/dev/null 2>&1; then
  echo "hako: /var/lib/lxcfs is a stale lxcfs mount (lxcfs is not running); remounting"
  umount -l /var/lib/lxcfs || fusermount -uz /var/lib/lxcfs || true
fi
if ! mountpoint -q /var/lib/lxcfs 2>/dev/null; then
  mkdir -p /var/lib/lxcfs
  if [ -d /run/systemd/system ]; then
    systemctl start lxcfs || true
  else
    (setsid lxcfs /var/lib/lxcfs >/var/log/lxcfs.log 2>&1 &)
  fi
  for _ in $(seq 50); do [ -e /var/lib/lxcfs/proc/meminfo ] && break; sleep 0.1; done
fi
