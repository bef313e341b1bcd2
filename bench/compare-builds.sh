#!/usr/bin/env bash
# Server CPU per request of two or more built checkouts, alternating: each build's `npm start`
# server (its own start script and node options) on CPU 0 with a trained store of its own, wrk with
# 32 connections of single-row POST /api/v1/predict on CPU 1; 2 s of warm-up, then SECONDS measured,
# with the server's CPU time (every thread) read from /proc before and after.
#
# Usage: bench/compare-builds.sh [--rounds=4] [--seconds=8] DIR...   (each DIR built: npm ci, npm run build)
# Needs wrk, taskset and curl, as the bench does.
set -euo pipefail
rounds=4 seconds=8 port=18099 builds=()
for arg in "$@"; do
  case $arg in
    --rounds=*) rounds=${arg#*=} ;;
    --seconds=*) seconds=${arg#*=} ;;
    -*) echo "unknown option $arg" >&2; exit 2 ;;
    *) builds+=("$(cd "$arg" && pwd)") ;;
  esac
done
[ ${#builds[@]} -ge 1 ] || { sed -n '2,8p' "$0" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
row=$(sed -n 2p "${builds[0]}/data/wdbc.csv" | cut -d, -f2-)
printf 'wrk.method="POST"\nwrk.headers["Content-Type"]="application/json"\nwrk.body=[==[{"row":[%s]}]==]\n' "$row" > "$work/predict.lua"

# The start script's words after `node`: its node options, the bin, `serve`.
start_args() { node -e 'console.log(require(process.argv[1] + "/package.json").scripts.start.replace(/^node /, ""))' "$1"; }
# CPU time of every thread of a process, in clock ticks.
cpu_ticks() { local total=0 t a; for t in /proc/"$1"/task/*/stat; do read -ra a < "$t"; total=$((total + a[13] + a[14])); done; echo $total; }

for i in "${!builds[@]}"; do
  args=$(start_args "${builds[$i]}")
  (cd "${builds[$i]}" && MLOOP_LOG_LEVEL=warn node ${args% serve} train --data-dir "$work/store-$i" > /dev/null 2> "$work/train.log") || { cat "$work/train.log" >&2; exit 1; }
done
hz=$(getconf CLK_TCK)
for round in $(seq "$rounds"); do
  for i in "${!builds[@]}"; do
    args=$(start_args "${builds[$i]}")
    (cd "${builds[$i]}" && MLOOP_LOG_LEVEL=warn exec taskset -c 0 node $args --data-dir "$work/store-$i" --port $port > "$work/server.log" 2>&1) &
    pid=$!
    for _ in $(seq 200); do curl -sf "http://127.0.0.1:$port/healthz" > /dev/null && break; sleep 0.05; done
    taskset -c 1 wrk -t1 -c32 -d2s -s "$work/predict.lua" "http://127.0.0.1:$port/api/v1/predict" > /dev/null
    before=$(cpu_ticks $pid)
    out=$(taskset -c 1 wrk -t1 -c32 -d"${seconds}s" -s "$work/predict.lua" "http://127.0.0.1:$port/api/v1/predict")
    after=$(cpu_ticks $pid)
    kill $pid; wait $pid 2> /dev/null || true
    requests=$(grep -oP '\d+(?= requests in)' <<< "$out")
    rps=$(grep -oP 'Requests/sec:\s+\K[\d.]+' <<< "$out")
    echo "round $round  ${builds[$i]}: $rps req/s, server CPU $(( (after - before) * 1000000 / hz / requests )) µs a request"
  done
done
