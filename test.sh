#!/usr/bin/env bash
# Runs Hako's whole test suite as root: unit tests, parser tests on real kernel text, and
# integration tests that create real LXC containers (each test uses its own hakod, data dir,
# socket, bridge and subnet, and removes what it made). Installs what it needs first.
set -euo pipefail
cd "$(dirname "$0")"

if [ "$(id -u)" != 0 ]; then
  echo "test.sh: run as root (integration tests create real containers)" >&2
  exit 1
fi

./scripts/deps.sh
# Test-only tools: tmux drives `hako top` in a real terminal; the Prometheus project's Python
# client parses /metrics; setcap/getcap (libcap2-bin) and setfattr/getfattr (attr) make and read the
# file capabilities and xattrs the archive and template-policy tests carry. The list is read by
# tests/Hako.Integration.Tests/Packaging/InstallCompletenessTests.cs: keep it one array.
TEST_PKGS=(tmux python3 python3-prometheus-client libcap2-bin attr procps)
test_pkgs=()
for p in "${TEST_PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || test_pkgs+=("$p")
done
if ((${#test_pkgs[@]})); then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${test_pkgs[@]}" >/dev/null
fi
dotnet restore Hako.sln --verbosity quiet
dotnet build Hako.sln --no-restore -c Release --verbosity quiet -nologo

results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT
status=0
# One project at a time: integration tests share the host's LXC and cgroups.
for proj in tests/*/*.csproj; do
  name=$(basename "$proj" .csproj)
  echo "== $name"
  # With pipefail the condition fails when dotnet test does (a `|| true` here would hide it from the exit code).
  if ! dotnet test "$proj" --no-build -c Release --logger "console;verbosity=normal" \
    --logger "trx;LogFileName=$results/$name.trx" 2>&1 | tee "$results/$name.log" \
    | awk '/^[ \t]+(Passed|Failed|Skipped) |Skipped .*\[|error|Passed!|Failed!/ { print; next }
           /Error Message:/ { print; show = 3; next }
           show > 0 { print; show-- }'; then
    status=1
  fi
done

# One closing line for CI: "N passed, N failed, N skipped".
python3 - "$results" <<'PY' || true
import sys, glob, xml.etree.ElementTree as ET
p = f = s = 0
for trx in glob.glob(sys.argv[1] + "/*.trx"):
    c = ET.parse(trx).getroot().find(".//{*}Counters")
    if c is None: continue
    p += int(c.get("passed", 0)); f += int(c.get("failed", 0)) + int(c.get("error", 0))
    s += int(c.get("total", 0)) - int(c.get("executed", 0))
print(f"{p} passed, {f} failed, {s} skipped")
PY
exit $status
