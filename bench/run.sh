#!/usr/bin/env bash
# Builds OrderRelay and the load generator in Release, installs the node-ws peer with
# `npm ci`, then runs the scenarios (all when none is named) against both servers,
# alternating, and prints one JSON line per scenario, a table and OrderRelay ÷ peer ratios.
#   bench/run.sh                      # everything (about 10 minutes)
#   bench/run.sh broadcast latency    # some scenarios
#   RUNS=3 bench/run.sh idle          # fewer measured runs (default 5)
# Results are appended to bench/results/results.jsonl; the chart goes to docs/benchmarks.svg.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

dotnet build -c Release OrderRelay/OrderRelay.csproj -v quiet -nologo
dotnet build -c Release bench/OrderRelay.Bench/OrderRelay.Bench.csproj -v quiet -nologo
dotnet build -c Release bench/peers/kestrel-floor/KestrelFloor.csproj -v quiet -nologo
(cd bench/peers/node-ws && npm ci --no-audit --no-fund --silent)

mkdir -p bench/results
dotnet bench/OrderRelay.Bench/bin/Release/net10.0/OrderRelay.Bench.dll \
  --runs "${RUNS:-5}" --out bench/results/results.jsonl --chart docs/benchmarks.svg "$@"
