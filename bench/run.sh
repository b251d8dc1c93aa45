#!/usr/bin/env bash
# The load half of `make bench`: build the server and the load tool with
# the GOEXPERIMENT in the environment (so both share one crypto), start a
# fresh server, time a restart on the existing database to a healthy
# /healthz, read its idle memory, run every load scenario against it and
# print the table. Results go to bin/bench/<build>.{md,json}.
set -euo pipefail
cd "$(dirname "$0")/.."

build=${GOEXPERIMENT:-default}
out=bin/bench
mkdir -p "$out"
tmp=$(mktemp -d)
data=$tmp/data
port=${BENCH_PORT:-18480}
addr=127.0.0.1:$port
base=http://$addr
pid=
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

cgo=0
[ "$build" != default ] && cgo=1 # boringcrypto needs cgo
CGO_ENABLED=$cgo go build -trimpath -o "$tmp/gatehouse" ./cmd/gatehouse
CGO_ENABLED=$cgo go build -trimpath -o "$tmp/gatehouse-load" ./cmd/gatehouse-load

export GATEHOUSE_ADMIN_ACCESS_KEY_ID=AKIDBENCHADMIN
export GATEHOUSE_ADMIN_SECRET_ACCESS_KEY=bench-$RANDOM$RANDOM$RANDOM
now_ms() { date +%s%3N; }

# start launches the server and waits for /healthz; it sets ready to the
# time that took in ms.
start() {
  local t0
  t0=$(now_ms)
  "$tmp/gatehouse" serve --addr "$addr" --data-dir "$data" ${BENCH_SERVER_FLAGS:-} \
    >>"$tmp/server.log" 2>&1 &
  pid=$!
  for _ in $(seq 2000); do
    if curl -sf -o /dev/null "$base/healthz"; then
      ready=$(($(now_ms) - t0))
      return
    fi
    kill -0 "$pid" 2>/dev/null || { cat "$tmp/server.log" >&2; exit 1; }
    sleep 0.005
  done
  echo "server did not become healthy" >&2
  exit 1
}
stop() { kill "$pid"; wait "$pid" || true; pid=; }

start
first=$ready
stop
# The figure: a start on an existing database.
start
sleep 2
idle=$(awk '/VmRSS/ {printf "%.1f", $2/1024}' "/proc/$pid/status")

echo "== load ($build build): start to healthy ${ready} ms on an existing database (${first} ms creating it); idle RSS ${idle} MiB"
AWS_ACCESS_KEY_ID=$GATEHOUSE_ADMIN_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY=$GATEHOUSE_ADMIN_SECRET_ACCESS_KEY \
  "$tmp/gatehouse-load" -url "$base" -pid "$pid" \
  -c "${BENCH_CONCURRENCY:-16}" -d "${BENCH_DURATION:-10s}" -users "${BENCH_USERS:-200}" \
  -md "$out/$build.md" -json "$out/$build.json" ${BENCH_LOAD_FLAGS:-}
{
  echo "Start to healthy: ${ready} ms on an existing database (${first} ms creating it). Idle RSS: ${idle} MiB."
} | tee -a "$out/$build.md"
