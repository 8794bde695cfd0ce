extension Migration {
    /// At most one charge of a domiciliación in flight: the claim checks it, and the database holds it too.
    static let m0014OneRecurringChargeInFlight = Migration(version: 14, name: "one_recurring_charge_in_flight") { _ in
        ["CREATE UNIQUE INDEX recurring_charges_in_flight ON recurring_charges (mandate_id) WHERE status = 'charging'"]
    }
}
