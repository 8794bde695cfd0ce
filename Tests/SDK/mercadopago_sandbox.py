"""Drives Cartera's Mercado Pago sandbox with Mercado Pago's official Python SDK (mercadopago), as a lender's developer
would: card tokens with the test cardholder names, payments by card, OXXO and SPEI, retrieval, search and refunds.

The SDK has no setting for its base URL, so its class default is replaced (the only change made to it).
Usage: python mercadopago_sandbox.py http://127.0.0.1:9090  (the sandboxes; Mercado Pago is under /mercadopago)
"""
import sys

import mercadopago
from mercadopago.config import Config

Config._Config__api_base_url = sys.argv[1] + "/mercadopago"
sdk = mercadopago.SDK("TEST-cartera-sandbox")


def token(holder):
    answer = sdk.card_token().create({
        "card_number": "5474925432670366", "security_code": "123", "expiration_month": 11, "expiration_year": 2030, "cardholder": {"name": holder},
    })
    assert answer["status"] == 201, answer
    return answer["response"]["id"]


paid = sdk.payment().create({
    "transaction_amount": 1500.00, "token": token("APRO"), "payment_method_id": "master", "installments": 1, "description": "Pago de crédito",
    "external_reference": "pin_sdk_m1", "payer": {"email": "ana@example.com"},
})
assert paid["status"] == 201 and paid["response"]["status"] == "approved", paid
payment = paid["response"]
assert payment["transaction_amount"] == 1500 and payment["fee_details"][0]["amount"] == round(1500 * 0.0349 + 4, 2), payment
assert sdk.payment().get(payment["id"])["response"]["status"] == "approved"
found = sdk.payment().search({"external_reference": "pin_sdk_m1"})["response"]["results"]
assert [p["id"] for p in found] == [payment["id"]], found

refund = sdk.refund().create(payment["id"], {"amount": 500.00})
assert refund["status"] == 201 and refund["response"]["amount"] == 500, refund
assert sdk.refund().create(payment["id"])["status"] == 201
assert sdk.payment().get(payment["id"])["response"]["status"] == "refunded"

rejected = sdk.payment().create({
    "transaction_amount": 100.00, "token": token("FUND"), "payment_method_id": "master", "installments": 1, "payer": {"email": "ana@example.com"},
})
assert rejected["response"]["status"] == "rejected" and rejected["response"]["status_detail"] == "cc_rejected_insufficient_amount", rejected

oxxo = sdk.payment().create({
    "transaction_amount": 800.00, "payment_method_id": "oxxo", "payer": {"email": "ana@example.com"}, "date_of_expiration": "2030-01-01T23:59:59.000-06:00",
})["response"]
assert oxxo["status"] == "pending" and oxxo["payment_type_id"] == "ticket" and oxxo["transaction_details"]["external_resource_url"].startswith("http"), oxxo

spei = sdk.payment().create({"transaction_amount": 1200.00, "payment_method_id": "clabe", "payer": {"email": "ana@example.com"}})["response"]
assert spei["status"] == "pending" and len(spei["transaction_details"]["payment_method_reference_id"]) == 18, spei

wrong = mercadopago.SDK("APP_USR-wrong").payment().get(payment["id"])
assert wrong["status"] == 401, wrong

print("mercadopago (Python SDK) against the sandbox: ok")
