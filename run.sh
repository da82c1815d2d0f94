#!/usr/bin/env bash
# Installs what is missing, builds Hako, starts hakod on its embedded default (SQLite under
# /var/lib/hako), builds the busybox template and starts a first container, `demo`. Idempotent.
set -euo pipefail
cd "$(dirname "$0")"

if [ "$(id -u)" != 0 ]; then
  echo "run.sh: run as root (hakod manages containers, mounts and cgroups)" >&2
  exit 1
fi

PREFIX=${HAKO_PREFIX:-/opt/hako}
DATA_DIR=${HAKO_DATA_DIR:-/var/lib/hako}
SOCKET=${HAKO_SOCKET:-/run/hako/hako.sock}
LOG=/var/log/hako/hakod.log
PIDFILE=/run/hako/hakod.pid

./scripts/deps.sh

if [ -n "${HAKO_PUBLISHED:-}" ]; then
  # Binaries published elsewhere (HAKO_PUBLISHED/{hakod,hako}), e.g. by scripts/vm.sh's host for
  # its slow emulated guest.
  echo "hako: installing the binaries from $HAKO_PUBLISHED into $PREFIX"
  mkdir -p "$PREFIX"
  rm -rf "$PREFIX/hakod" "$PREFIX/hako"
  cp -a "$HAKO_PUBLISHED/hakod" "$HAKO_PUBLISHED/hako" "$PREFIX/"
else
  echo "hako: building into $PREFIX"
  dotnet publish src/Hako.Daemon -c Release -o "$PREFIX/hakod" --verbosity quiet -nologo
  # The CLI is published Native AOT: ~5 ms to start instead of ~80 ms (docs/cli.md); plain JIT if AOT can't build.
  dotnet publish src/Hako.Cli -c Release -r linux-x64 -p:PublishAot=true -o "$PREFIX/hako" --verbosity quiet -nologo \
    || dotnet publish src/Hako.Cli -c Release -o "$PREFIX/hako" --verbosity quiet -nologo
fi
ln -sf "$PREFIX/hakod/hakod" /usr/local/bin/hakod
ln -sf "$PREFIX/hako/hako" /usr/local/bin/hako

mkdir -p /run/hako /var/log/hako
running() { [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }
if [ -d /run/systemd/system ]; then
  install -m 0644 packaging/systemd/hakod.service /etc/systemd/system/hakod.service
  systemctl daemon-reload
  # enable, then one (re)start with the new build: `enable --now` + restart started it twice.
  systemctl enable hakod
  systemctl restart hakod
elif running; then
  echo "hako: restarting hakod (pid $(cat "$PIDFILE")) with the new build"
  kill "$(cat "$PIDFILE")"
  for _ in $(seq 100); do running || break; sleep 0.1; done
fi
if [ ! -d /run/systemd/system ]; then
  setsid /usr/local/bin/hakod --data-dir "$DATA_DIR" --socket "$SOCKET" >>"$LOG" 2>&1 < /dev/null &
  echo $! > "$PIDFILE"
fi

# hakod answers within a second or two on a real host; an emulated one (scripts/vm.sh) needs more.
wait_s=${HAKO_START_TIMEOUT:-60}
for _ in $(seq $((wait_s * 5))); do [ -S "$SOCKET" ] && hako --socket "$SOCKET" node >/dev/null 2>&1 && break; sleep 0.2; done
if ! hako --socket "$SOCKET" node >/dev/null 2>&1; then
  if [ -d /run/systemd/system ]; then
    # Under systemd hakod's output goes to the journal, not to $LOG.
    echo "hako: hakod did not answer within ${wait_s} s; see journalctl -u hakod" >&2
    systemctl status hakod --no-pager >&2 || true
    journalctl -u hakod -n 20 --no-pager >&2 || true
  else
    echo "hako: hakod did not answer within ${wait_s} s; see $LOG" >&2
    tail -20 "$LOG" >&2 || true
  fi
  exit 1
fi

export HAKO_SOCKET=$SOCKET
hako template show busybox >/dev/null 2>&1 || hako template build busybox
if ! hako show demo >/dev/null 2>&1; then
  hako create demo --template busybox --memory 256M --swap 0 --disk 2G --hostname demo.example.test
fi
hako start demo
hako list

cat <<EOF

Hako is running (data dir $DATA_DIR, socket $SOCKET, log $( [ -d /run/systemd/system ] && echo "journalctl -u hakod" || echo "$LOG")).
Try:
  hako exec demo -- hostname
  hako enter demo
  hako create web1 --template busybox --memory 256M --swap 0 --cpus 1 --cpulimit 50% --disk 2G --hostname web1.example.test --start
  hako show web1 ; hako set web1 --memory 512M ; hako node
  hako stop web1 ; hako destroy web1
EOF
