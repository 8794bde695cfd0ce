#!/bin/bash
# Payments benchmark (BENCHMARKS.md "Payments"): a fresh demo database, the release build (swift build -c release
# --product cartera), an API client with payments:write and its token, the active loans, then wrk -t2 -c16 -d10s twice.
set -e
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
D=${BENCH_DIR:-/tmp/paybench}; rm -rf $D; mkdir -p $D; cd $D
export CARTERA_DATABASE_URL=sqlite://$D/demo.sqlite CARTERA_KEY_FILE=$D/k CARTERA_LOG_LEVEL=warning
B=$ROOT/.build/release/cartera
$B migrate > /dev/null 2>&1
$B serve --demo --port 18100 > $D/serve.log 2>&1 &
SERVER=$!
for i in $(seq 1 120); do curl -s http://127.0.0.1:18100/ready > /dev/null && break; sleep 1; done
sleep 2
CREATED=$($B api-clients create --name bench --scopes payments:write,loans:read --json 2>/dev/null)
ID=$(echo "$CREATED" | python3 -c 'import sys,json; print(json.load(sys.stdin)["client_id"])')
SECRET=$(echo "$CREATED" | python3 -c 'import sys,json; print(json.load(sys.stdin)["client_secret"])')
echo "client $ID"
TOKEN=$(curl -s -u "$ID:$SECRET" -d grant_type=client_credentials -d scope=payments:write http://127.0.0.1:18100/oauth/token | python3 -c 'import sys,json; print(json.load(sys.stdin)["access_token"])')
sqlite3 $D/demo.sqlite "SELECT id FROM loans WHERE status='vigente'" > $D/loans.txt
wc -l < $D/loans.txt
cd $ROOT
for run in 1 2; do
  IDEMPOTENCY=off TOKEN=$TOKEN LOANS_FILE=$D/loans.txt wrk -t2 -c16 -d10s --latency -s Benchmarks/wrk/payments.lua http://127.0.0.1:18100 | grep -E "Requests/sec|99%|Non-2xx"
done
kill $SERVER
