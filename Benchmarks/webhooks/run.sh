#!/usr/bin/env bash
# The webhook benchmark (BENCHMARKS.md): a fresh SQLite Cartera on :18300 talking to `cartera sandbox` on :19300 (which
# sends no webhooks itself), COUNT OXXO intents paid in the sandbox, then wrk delivering one signed Stripe event per
# intent for DURATION. Prints wrk's figures and the webhook→posted latency (stored event → payment posted) from the
# database. Usage: Benchmarks/webhooks/run.sh [COUNT=30000] [DURATION=10s]   (needs wrk, sqlite3, python3)
# CONNECTIONS=N: wrk's concurrent connections (default 128: a provider delivers from many at once).
set -euo pipefail
COUNT=${1:-30000}
DURATION=${2:-10s}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${CARTERA_BIN:-$ROOT/.build/release/cartera}
WORK=$(mktemp -d /tmp/cartera-webhook-bench.XXXXXX)
cd "$WORK"
cleanup() { kill "$(cat serve.pid 2>/dev/null)" "$(cat sandbox.pid 2>/dev/null)" 2>/dev/null || true; }
trap cleanup EXIT
echo "work folder: $WORK"
export CARTERA_DATABASE_URL="sqlite://$WORK/cartera.sqlite" CARTERA_LOG_LEVEL=warning
"$BIN" sandbox --port 19300 > sandbox.log 2>&1 & echo $! > sandbox.pid
sleep 1
export CARTERA_STRIPE_API_BASE=http://127.0.0.1:19300/stripe CARTERA_STRIPE_SECRET_KEY=sk_test_cartera_sandbox CARTERA_STRIPE_WEBHOOK_SECRET=whsec_cartera_sandbox
# The demo portfolio is seeded by a first, short demo run; the measured server runs without --demo, whose in-process
# sandbox would send webhooks of its own.
"$BIN" serve --demo --port 18301 > demo.log 2>&1 & DEMO=$!
for i in $(seq 1 240); do curl -s -o /dev/null http://127.0.0.1:18301/health && break; sleep 0.5; done
kill $DEMO; sleep 1
"$BIN" serve --port 18300 > serve.log 2>&1 & echo $! > serve.pid
for i in $(seq 1 120); do curl -s -o /dev/null http://127.0.0.1:18300/health && break; sleep 0.5; done
"$BIN" api-clients create --name bench --scopes payments:write,payments:read --json > client.json
CID=$(python3 -c 'import json;print(json.load(open("client.json"))["client_id"])')
SEC=$(python3 -c 'import json;print(json.load(open("client.json"))["client_secret"])')
TOKEN=$(curl -s -u "$CID:$SEC" -d grant_type=client_credentials http://127.0.0.1:18300/oauth/token | python3 -c 'import json,sys;print(json.load(sys.stdin)["access_token"])')
sqlite3 cartera.sqlite "select id from loans where status='vigente'" > loans.txt
python3 "$ROOT/Benchmarks/webhooks/prepare.py" http://127.0.0.1:18300 http://127.0.0.1:19300 "$TOKEN" loans.txt "$COUNT" events.txt
# INGEST_ONLY=1: the sandbox stops before the run, so the outbox cannot settle anything: what is left is verifying,
# storing and acknowledging.
if [ -n "${INGEST_ONLY:-}" ]; then kill "$(cat sandbox.pid)"; sleep 0.5; fi
if [ -n "${PERF:-}" ]; then (sleep 2; perf record -F 499 -g -p "$(cat serve.pid)" -o "$WORK/perf.data" -- sleep 6 >/dev/null 2>&1; echo "perf data: $WORK/perf.data") & fi
if [ -n "${TOP:-}" ]; then (sleep 3; top -b -H -d 4 -n 2 | awk "/^top -/{n++} n==2" | head -22) & fi
EVENTS_FILE=events.txt WRK_THREADS=2 wrk -t2 -c"${CONNECTIONS:-128}" -d"$DURATION" --latency -s "$ROOT/Benchmarks/wrk/webhooks.lua" http://127.0.0.1:18300
sleep 3  # let the outbox finish
sqlite3 cartera.sqlite "select count(*) || ' events stored, ' || sum(state='processed') || ' processed' from gateway_events"
sqlite3 cartera.sqlite "
  with lat as (
    select (julianday(p.updated_at) - julianday(e.received_at)) * 86400000.0 as ms
    from gateway_events e join payment_intents p on p.id = e.intent_id where e.state = 'processed' and p.status = 'succeeded')
  select count(*) || ' posted; webhook→posted ms p50 ' || (select ms from lat order by ms limit 1 offset (select count(*)/2 from lat))
    || ', p99 ' || (select ms from lat order by ms limit 1 offset (select count(*)*99/100 from lat))
    || ', max ' || max(ms) from lat"
"$BIN" ledger verify --json 2>/dev/null | python3 -c 'import json,sys; r=json.load(sys.stdin); p=r.get("problems") or []; print("ledger verify:", "ok" if not p else p[:3])' || true
