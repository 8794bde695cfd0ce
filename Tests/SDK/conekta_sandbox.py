"""Drives Cartera's Conekta sandbox with Conekta's official Python library (conekta-python), as a lender's developer
would: customers, orders paid by card token, cash (OXXO) and SPEI, retrieval, search and refunds.

Usage: python conekta_sandbox.py http://127.0.0.1:9090  (the sandboxes; Conekta is under /conekta)
Exits non-zero with the failing check's message when the sandbox does not behave as Conekta does.
"""
import json
import sys

import conekta

base = sys.argv[1] + "/conekta"
configuration = conekta.Configuration(host=base, access_token="key_cartera_sandbox")


def order_request(intent, amount, method):
    return conekta.OrderRequest(
        currency="MXN",
        customer_info=conekta.OrderRequestCustomerInfo(conekta.CustomerInfo(name="Ana López", email="ana@example.com", phone="5512345678")),
        line_items=[conekta.Product(name="Pago de crédito", unit_price=amount, quantity=1)],
        charges=[conekta.ChargeRequest(payment_method=conekta.ChargeRequestPaymentMethod(method), reference_id=intent)],
        metadata={"cartera_intent": intent},
    )


with conekta.ApiClient(configuration) as client:
    customers = conekta.CustomersApi(client)
    orders = conekta.OrdersApi(client)

    customer = customers.create_customer(conekta.Customer(name="Ana López", email="ana@example.com", phone="5512345678"))
    assert customer.id.startswith("cus_") and customer.livemode is False, customer

    # A test card that pays.
    paid = orders.create_order(order_request("pin_sdk_c1", 150000, conekta.PaymentMethodGeneralRequest(type="card", token_id="tok_test_visa_4242")))
    assert paid.payment_status == "paid" and paid.amount == 150000, paid
    charge = paid.charges.data[0]
    assert charge.status == "paid" and charge.payment_method.actual_instance.last4 == "4242", charge
    again = orders.get_order_by_id(paid.id)
    assert again.id == paid.id and again.metadata["cartera_intent"] == "pin_sdk_c1", again
    found = orders.get_orders(search="pin_sdk_c1")
    assert [order.id for order in found.data] == [paid.id], found

    # A partial refund, then the rest.
    partial = orders.order_refund(paid.id, conekta.OrderRefundRequest(amount=50000, reason="requested_by_client"))
    assert partial.payment_status == "partially_refunded" and partial.amount_refunded == 50000, partial
    full = orders.order_refund(paid.id, conekta.OrderRefundRequest(amount=100000, reason="requested_by_client"))
    assert full.payment_status == "refunded" and full.amount_refunded == 150000, full

    # A declined test card: 402 with Conekta's processing error.
    try:
        orders.create_order(order_request("pin_sdk_c2", 10000, conekta.PaymentMethodGeneralRequest(type="card", token_id="tok_test_insufficient_funds")))
        raise AssertionError("a declined card was accepted")
    except conekta.ApiException as error:
        body = json.loads(error.body)
        assert error.status == 402 and body["type"] == "processing_error", error.body
        assert body["details"][0]["code"] == "conekta.errors.processing.bank.insufficient_funds", error.body

    # Cash at OXXO: a reference and a barcode to pay before it expires.
    cash = orders.create_order(order_request("pin_sdk_c3", 80000, conekta.PaymentMethodGeneralRequest(type="cash", expires_at=1900000000)))
    method = cash.charges.data[0].payment_method.actual_instance
    assert cash.payment_status == "pending_payment" and len(method.reference) == 14 and method.barcode_url.startswith("http"), cash
    assert method.expires_at == 1900000000, method

    # SPEI: a CLABE at STP.
    spei = orders.create_order(order_request("pin_sdk_c4", 120000, conekta.PaymentMethodGeneralRequest(type="spei", expires_at=1900000000)))
    transfer = spei.charges.data[0].payment_method.actual_instance
    assert spei.payment_status == "pending_payment" and len(transfer.clabe) == 18 and transfer.bank == "STP", spei

    # The webhook key's public half.
    key = conekta.WebhookKeysApi(client).create_webhook_key(webhook_key_request=conekta.WebhookKeyRequest(active=True))
    assert key.public_key.startswith("-----BEGIN PUBLIC KEY-----"), key

# A wrong key is refused as Conekta refuses it.
try:
    with conekta.ApiClient(conekta.Configuration(host=base, access_token="wrong")) as client:
        conekta.CustomersApi(client).create_customer(conekta.Customer(name="X", email="x@example.com", phone="5512345678"))
    raise AssertionError("a wrong key was accepted")
except conekta.ApiException as error:
    assert error.status == 401, error

print("conekta-python against the sandbox: ok")
