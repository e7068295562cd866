#!/usr/bin/env bash
# Runs the shop-day scenario once against this checkout's Release build and traces the relay's
# allocations and collections for 15 s of the measured window, then prints where the bytes come
# from and how long each collection paused it.
#
#   bench/trace-shop-day.sh [out.nettrace]
#
# Needs dotnet-trace (dotnet tool install -g dotnet-trace) and the builds bench/run.sh makes.
set -euo pipefail
cd "$(dirname "$0")/.."
trace=${1:-bench/results/shop-day.nettrace}
mkdir -p "$(dirname "$trace")"
ulimit -n 20000
dotnet build -c Release bench/OrderRelay.GcReport -v quiet >/dev/null
dotnet bench/OrderRelay.Bench/bin/Release/net10.0/OrderRelay.Bench.dll --servers orderrelay --runs 1 shop-day >bench/results/trace-shop-day.log 2>&1 &
bench=$!
relay=""
for _ in $(seq 1 240); do
  relay=$(pgrep -f "OrderRelay.dll" | head -1 || true)
  [ -n "$relay" ] && break
  sleep 0.5
done
[ -n "$relay" ] || { echo "the relay did not start; see bench/results/trace-shop-day.log" >&2; exit 1; }
# Every page connected (19,000 sockets), then past the 8 s warm-up.
for _ in $(seq 1 180); do
  [ "$(ls "/proc/$relay/fd" 2>/dev/null | wc -l)" -gt 19000 ] && break
  sleep 1
done
sleep 12
"${DOTNET_TOOLS:-$HOME/.dotnet/tools}/dotnet-trace" collect -p "$relay" --providers Microsoft-Windows-DotNETRuntime:0x1:5 \
  --duration 00:00:00:15 -o "$trace" >/dev/null
wait "$bench"
tail -6 bench/results/trace-shop-day.log
dotnet bench/OrderRelay.GcReport/bin/Release/net10.0/OrderRelay.GcReport.dll allocations "$trace" 12
dotnet bench/OrderRelay.GcReport/bin/Release/net10.0/OrderRelay.GcReport.dll pauses "$trace"
