#!/usr/bin/env bash
# Runs the project's benchmarks (figures in BENCHMARKS.md), installing what they need:
#  - operations: DynamoDB round trips per API call, and in-process latency (embedded store);
#  - cold_start: each function binary started fresh under the emulated Lambda Runtime API,
#    against moto (init, first and warm request, peak memory), beside a hello-world baseline;
#  - delivery: a 1000-row bulk call on moto and the deliver binary sending the 1000 emails
#    at a set rate (time until all are sent, peak memory);
#  - export: 20k and 100k members exported (CSV, XLSX) by the deliver binary into S3 on moto
#    (time, size, peak memory);
#  - export_worker: 100k members exported by the export worker itself (the deliver binary under
#    ExportJobFunction's memory, timeout and /tmp on the emulated runtime): time per attempt,
#    peak memory, /tmp peak.
# Release builds (fat LTO): about 8 minutes the first time on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/../.."

echo "==> release binaries (the deployed profile) and the hello-world baseline"
cargo build --release --locked -p invite -p list -p expire -p deliver
cargo build --release --locked -p usher-lambda --example hello

echo "==> operations"
cargo bench --locked -p usher-tests --bench operations

echo "==> cold start"
bash infra/scripts/with-moto.sh cargo bench --locked -p usher-tests --bench cold_start

echo "==> delivery"
# moto copies the table for each write of a 100-write transaction: give its calls minutes.
USHER_MOTO_TIMEOUT_SECS=600 bash infra/scripts/with-moto.sh cargo bench --locked -p usher-tests --bench delivery

echo "==> a 1000-row bulk call on the invite function"
USHER_MOTO_TIMEOUT_SECS=900 bash infra/scripts/with-moto.sh cargo bench --locked -p usher-tests --bench bulk

echo "==> export"
bash infra/scripts/with-moto.sh cargo bench --locked -p usher-tests --bench export

echo "==> a 100,000-member export on the export worker binary"
USHER_MOTO_TIMEOUT_SECS=900 bash infra/scripts/with-moto.sh cargo bench --locked -p usher-tests --bench export_worker
