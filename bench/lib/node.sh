# Shared by bench/ubc.sh and bench/usage.sh: one hakod of the bench's own (data dir, socket, bridge,
# node name under a temp dir), its binaries, and a cleanup that removes everything it made.
# Source it after setting T (temp dir), D (data dir), PIDFILE, BR (bridge) and NODE (node name).

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# bench_binaries REPO: sets HAKOD and HAKO from $HAKO_BIN_DIR, or publishes them into $T
# (the CLI Native AOT when it builds, as run.sh does).
bench_binaries() {
  if [ -n "${HAKO_BIN_DIR:-}" ]; then
    HAKOD=$HAKO_BIN_DIR/hakod; HAKO=$HAKO_BIN_DIR/hako
    return
  fi
  log "publishing hakod and hako from $1"
  dotnet publish "$1/src/Hako.Daemon" -c Release -o "$T/hakod" --verbosity quiet -nologo >/dev/null
  dotnet publish "$1/src/Hako.Cli" -c Release -r linux-x64 -p:PublishAot=true -o "$T/hako" --verbosity quiet -nologo >/dev/null \
    || dotnet publish "$1/src/Hako.Cli" -c Release -o "$T/hako" --verbosity quiet -nologo >/dev/null
  HAKOD=$T/hakod/hakod; HAKO=$T/hako/hako
}

# bench_start_hakod ARGS...: starts hakod on $D with $BR and $NODE plus ARGS, waits for its API,
# builds the busybox template. Exports HAKO_SOCKET for the CLI.
bench_start_hakod() {
  mkdir -p "$D"
  setsid "$HAKOD" --data-dir "$D" --socket "$D/hako.sock" --bridge "$BR" --node-name "$NODE" "$@" \
    >"$T/hakod.log" 2>&1 < /dev/null &
  echo $! > "$PIDFILE"
  export HAKO_SOCKET=$D/hako.sock
  for _ in $(seq 100); do "$HAKO" node >/dev/null 2>&1 && break; sleep 0.2; done
  "$HAKO" template build busybox >/dev/null
}

# bench_cleanup: destroys the bench's containers, stops hakod, and removes what may be left:
# LXC containers, mounts, the bridge, cgroups and the temp dir.
bench_cleanup() {
  set +e
  if [ -f "$PIDFILE" ]; then
    export HAKO_SOCKET=$D/hako.sock
    for c in $("$HAKO" list --json 2>/dev/null | python3 -c 'import json,sys; [print(c["name"]) for c in json.load(sys.stdin)]' 2>/dev/null); do
      "$HAKO" destroy --force "$c" >/dev/null 2>&1
    done
    kill "$(cat "$PIDFILE")" 2>/dev/null; sleep 1
  fi
  for c in "$D"/lxc/*/; do [ -d "$c" ] && lxc-stop -P "$D/lxc" -n "$(basename "$c")" -k >/dev/null 2>&1; done
  grep -o "$D[^ ]*" /proc/self/mounts 2>/dev/null | sort -r | xargs -r -n1 umount -l 2>/dev/null
  ip link del "$BR" 2>/dev/null
  for g in /sys/fs/cgroup/*/"hako-$NODE" /sys/fs/cgroup/*/"hako-$NODE.monitor"; do
    [ -d "$g" ] && find "$g" -depth -type d -exec rmdir {} \; 2>/dev/null
  done
  rm -rf "$T"
}
