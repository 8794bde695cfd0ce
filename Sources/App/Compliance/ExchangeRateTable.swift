import CarteraCore
import CarteraSecurity
import Compliance
import Foundation
import HTTPTypes
import SQLKit
import Store

/// Banxico's FIX per business day, as the monitoring rules use it to turn cash operations into dollars.
public struct ExchangeRateTable: Sendable {
    let database: Database
    let clock: @Sendable () -> Timestamp

    public init(database: Database, clock: @escaping @Sendable () -> Timestamp = { .now }) {
        self.database = database
        self.clock = clock
    }

    /// What an import did.
    public struct ImportSummary: Sendable, Codable, Equatable {
        public let rates: Int
        public let added: Int
        public let changed: Int
        public let first: CalendarDate?
        public let last: CalendarDate?
        /// Operations that had no rate for their day and were evaluated again.
        public let gapsResolved: Int
    }

    /// Stores `rates` (a day already stored with another rate is corrected, and audited) and evaluates again the cash
    /// operations that were waiting for a rate; one transaction.
    /// The pesos per dollar a rate may be: anything outside is a typing or file error (1.7 for 17.0), refused.
    public static let plausible: ClosedRange<Int64> = 5_000_000...100_000_000

    public func importRates(_ rates: [ExchangeRates.Rate], source: String, actor: Administration.Actor) async throws -> ImportSummary {
        let implausible = rates.filter { !Self.plausible.contains($0.pesoMillionthsPerDollar) }
        guard implausible.isEmpty else {
            throw APIError(
                status: .unprocessableContent, code: "exchange_rate_implausible",
                message: "Tipos de cambio fuera de 5 a 100 pesos por dólar; revise el archivo (no se cargó nada): "
                    + implausible.prefix(5).map { "\($0.date.text) = \(Money(minorUnits: $0.pesoMillionthsPerDollar / 10_000, currency: .mxn).decimalText)" }.joined(separator: ", ")
            )
        }
        let now = clock()
        return try await database.transaction { db in
            var stored: [String: Int64] = [:]
            if let first = rates.first?.date, let last = rates.last?.date {
                for row in try await db.raw(
                    "SELECT business_date, peso_millionths_per_dollar FROM exchange_rates WHERE business_date >= \(bind: first.text) AND business_date <= \(bind: last.text)"
                ).all() {
                    stored[try row.decode(column: "business_date", as: String.self)] = try row.decode(column: "peso_millionths_per_dollar", as: Int64.self)
                }
            }
            var added = 0
            var changed = 0
            var corrected: [CalendarDate] = []
            for rate in rates where stored[rate.date.text] != rate.pesoMillionthsPerDollar {
                if stored[rate.date.text] == nil { added += 1 } else { changed += 1; corrected.append(rate.date) }
                try await db.raw(
                    """
                    INSERT INTO exchange_rates (business_date, peso_millionths_per_dollar, source, imported_at, imported_by)
                    VALUES (\(bind: rate.date.text), \(bind: rate.pesoMillionthsPerDollar), \(bind: source), \(bind: now.text), \(bind: actor.id))
                    ON CONFLICT (business_date) DO UPDATE SET peso_millionths_per_dollar = excluded.peso_millionths_per_dollar, source = excluded.source,
                        imported_at = excluded.imported_at, imported_by = excluded.imported_by
                    """
                ).run()
            }
            if added + changed > 0 {
                try await AuditLog.append(
                    Administration.entry(actor: actor, action: "compliance.rates_imported", objectType: "exchange_rates", objectID: source, at: now,
                                         change: rates.map { "\($0.date.text)=\($0.pesoMillionthsPerDollar)" }.joined(separator: ",")),
                    on: db
                )
            }
            let resolved = try await TransactionMonitor.resolveRateGaps(now: now, on: db)
            // A corrected rate values again what it valued.
            _ = try await TransactionMonitor.reevaluate(changedRates: corrected, now: now, on: db)
            return ImportSummary(rates: rates.count, added: added, changed: changed, first: rates.first?.date, last: rates.last?.date, gapsResolved: resolved)
        }
    }
}
