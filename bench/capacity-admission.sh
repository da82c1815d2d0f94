#!/usr/bin/env bash
# bench/capacity-admission.sh [ROUNDS] — hakod's best-effort admission decision, end to end in one
# process: CapacityService over a SqliteUsageStore seeded with 200 containers × 30 days of 5-minute
# buckets (8,640 each) and a SqliteStateStore with their records (plans without guarantees, so the
# statistical rule decides). Times, min/median over ROUNDS (default 25):
#   - the cold first decision (every bucket read from SQLite; once per hakod start);
#   - after a create (a new commitment, no new usage), and the cache hit right after it;
#   - a set/start (the container left out and judged as if new);
#   - after a new bucket (read from the store; the window slides by one bucket);
#   - a refusal (a plan whose limit does not fit) with "what fits instead" over every plan on sale,
#     as a cache hit and after a create.
# Each decision is what ContainerService asks: Current, AdmissionMode, Admit.
# Seeding takes about a minute; BENCH_SEED_CACHE=FILE keeps the seeded database for the next run.
# Needs no root and no LXC. Other jobs on the machine move the numbers: quote medians.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
exec dotnet run -c Release --project "$REPO/bench/Hako.Capacity.Bench" -- admission "${1:-25}"
