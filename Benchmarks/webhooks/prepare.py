"""Prepares the webhook benchmark: OXXO payment intents on a running Cartera, paid in the Stripe sandbox (which sends
no webhooks of its own), and one signed `payment_intent.succeeded` event per intent for wrk to deliver.

Usage: prepare.py CARTERA_URL SANDBOX_URL TOKEN LOANS_FILE COUNT EVENTS_FILE
Stdlib only (urllib, hmac): no client library is needed.
"""
import concurrent.futures
import hashlib
import hmac
import json
import sys
import time
import urllib.error
import urllib.request

cartera, sandbox, token, loans_file, count, events_file = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), sys.argv[6]
secret = "whsec_cartera_sandbox"
loans = [line.strip() for line in open(loans_file) if line.strip()]


class Refused(Exception):
    pass


def post(url, body=None, headers=None):
    request = urllib.request.Request(url, data=body, method="POST", headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        text = error.read().decode()
        if error.code == 422:
            raise Refused(text)
        raise SystemExit(f"POST {url}: HTTP {error.code} {text}")


# Every loan that can take a payment (a loan paid ahead to the end owes nothing until it closes): the notices are
# spread over as many loans as the demo has, as a portfolio's would be.
payable = []
for loan in loans:
    try:
        post(f"{cartera}/api/v1/loans/{loan}/payment-intents", json.dumps({"provider": "stripe", "method": "cash", "amount": "10.00"}).encode(),
             {"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        payable.append(loan)
    except Refused:
        pass


def make(i):
    loan = payable[i % len(payable)]
    intent = post(f"{cartera}/api/v1/loans/{loan}/payment-intents", json.dumps({"provider": "stripe", "method": "cash", "amount": "10.00"}).encode(),
                  {"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    charge = intent["providerChargeId"]
    post(f"{sandbox}/stripe/_sandbox/payment_intents/{charge}/pay")
    return intent["id"], charge


started = time.time()
with concurrent.futures.ThreadPoolExecutor(8) as pool:
    made = list(pool.map(make, range(count)))
print(f"{len(made)} intents made and paid in the sandbox in {time.time() - started:.1f} s", file=sys.stderr)

now = int(time.time())
with open(events_file, "w") as out:
    for n, (intent, charge) in enumerate(made):
        body = json.dumps({
            "id": f"evt_bench_{now}_{n}", "object": "event", "type": "payment_intent.succeeded", "created": now, "livemode": False,
            "data": {"object": {"id": charge, "object": "payment_intent", "amount": 1000, "amount_received": 1000, "currency": "mxn",
                                "status": "succeeded", "metadata": {"cartera_intent": intent}}},
        }, separators=(",", ":"))
        signature = hmac.new(secret.encode(), f"{now}.{body}".encode(), hashlib.sha256).hexdigest()
        out.write(f"t={now},v1={signature}\t{body}\n")
