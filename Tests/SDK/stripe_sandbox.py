"""Drives Cartera's Stripe sandbox with Stripe's official Python library (stripe-python), as a lender's developer would.

Usage: python stripe_sandbox.py http://127.0.0.1:9090  (the sandboxes; Stripe is under /stripe)
Exits non-zero with the failing check's message when the sandbox does not behave as Stripe does.
"""
import sys

import stripe

base = sys.argv[1] + "/stripe"
client = stripe.StripeClient("sk_test_cartera_sandbox", base_addresses={"api": base}, max_network_retries=0)

customer = client.v1.customers.create(params={"name": "Ana López", "email": "ana@example.com", "metadata": {"cartera_reference": "cl_1"}})
assert customer.id.startswith("cus_"), customer

# A card that succeeds: paid at once, with its charge and fee.
paid = client.v1.payment_intents.create(params={
    "amount": 150000, "currency": "mxn", "payment_method": "pm_card_visa", "payment_method_types": ["card"], "confirm": True,
    "metadata": {"cartera_intent": "pin_sdk_1"},
}, options={"idempotency_key": "pin_sdk_1"})
assert paid.status == "succeeded" and paid.amount_received == 150000, paid
again = client.v1.payment_intents.retrieve(paid.id, params={"expand": ["latest_charge.balance_transaction"]})
assert again.latest_charge.balance_transaction.fee == 150000 * 36 // 1000 + 300, again
# The same idempotency key answers the same payment.
replayed = client.v1.payment_intents.create(params={
    "amount": 150000, "currency": "mxn", "payment_method": "pm_card_visa", "payment_method_types": ["card"], "confirm": True,
    "metadata": {"cartera_intent": "pin_sdk_1"},
}, options={"idempotency_key": "pin_sdk_1"})
assert replayed.id == paid.id, replayed
found = client.v1.payment_intents.search(params={"query": "metadata['cartera_intent']:'pin_sdk_1'"})
assert [p.id for p in found.data] == [paid.id], found

# A partial refund, then the rest.
refund = client.v1.refunds.create(params={"payment_intent": paid.id, "amount": 50000})
assert refund.status == "succeeded" and refund.amount == 50000, refund
client.v1.refunds.create(params={"payment_intent": paid.id})
charge = client.v1.payment_intents.retrieve(paid.id, params={"expand": ["latest_charge"]}).latest_charge
assert charge.amount_refunded == 150000 and charge.refunded, charge

# A declined card raises CardError with Stripe's codes.
try:
    client.v1.payment_intents.create(params={
        "amount": 10000, "currency": "mxn", "payment_method": "pm_card_chargeDeclinedInsufficientFunds", "payment_method_types": ["card"], "confirm": True,
    })
    raise AssertionError("a declined card was accepted")
except stripe.CardError as error:
    assert error.code == "card_declined" and error.error.decline_code == "insufficient_funds", error

# OXXO: a voucher to pay in cash.
oxxo = client.v1.payment_intents.create(params={
    "amount": 80000, "currency": "mxn", "payment_method_types": ["oxxo"], "confirm": True,
    "payment_method_data": {"type": "oxxo", "billing_details": {"name": "Ana López", "email": "ana@example.com"}},
    "payment_method_options": {"oxxo": {"expires_after_days": 2}},
})
details = oxxo.next_action.oxxo_display_details
assert oxxo.status == "requires_action" and len(details.number) >= 14 and details.hosted_voucher_url.startswith("http"), oxxo

# SPEI: a CLABE to transfer to, for a customer.
spei = client.v1.payment_intents.create(params={
    "amount": 120000, "currency": "mxn", "customer": customer.id, "payment_method_types": ["customer_balance"], "confirm": True,
    "payment_method_data": {"type": "customer_balance"},
    "payment_method_options": {"customer_balance": {"funding_type": "bank_transfer", "bank_transfer": {"type": "mx_bank_transfer"}}},
})
clabe = spei.next_action.display_bank_transfer_instructions.financial_addresses[0].spei.clabe
assert spei.status == "requires_action" and len(clabe) == 18 and clabe.startswith("646"), spei

# A wrong key is refused as Stripe refuses it.
try:
    stripe.StripeClient("sk_live_wrong", base_addresses={"api": base}, max_network_retries=0).v1.customers.create(params={"name": "X"})
    raise AssertionError("a wrong key was accepted")
except stripe.AuthenticationError:
    pass

print("stripe-python against the sandbox: ok")
