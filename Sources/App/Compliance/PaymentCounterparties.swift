import CarteraCore
import CarteraSecurity
import Clients
import Compliance
import Foundation
import SQLKit
import Store

/// Who paid a loan, when the payment says it (a transfer's ordering party, a bank line's counterparty): screened
/// against the lists — a match is recorded on the client for review (role «contraparte»), and a blocked-persons or
/// sanctions match holds the money — and compared with the client, so the third-party-payer rule can fire.
struct PaymentCounterparties: Sendable {
    let database: Database
    let keys: LiveKeys
    let screening: ClientScreening

    /// `held`: the payer matches a blocked-persons or sanctions list (do not apply the money). `payerIsClient`: the same
    /// well-formed RFC as the client's (through its blind index), or else the same name (accents, case and word order
    /// aside; the maternal surname may be missing). Unknown (no name, no RFC — STP writes «ND») counts as the client.
    func check(name: String?, rfc: String?, loanID: String, lenderID: String, actor: Administration.Actor) async throws -> (held: Bool, payerIsClient: Bool) {
        let name = name?.trimmingCharacters(in: .whitespaces) ?? ""
        let given = RFC.validate(rfc ?? "")
        let rfc = given.isValid && given.normalized != RFC.genericDomestic && given.normalized != RFC.genericForeign ? given.normalized : ""
        guard !name.isEmpty || !rfc.isEmpty else { return (false, true) }
        let keys = keys
        return try await database.transaction { db in
            guard let clientID = try await db.raw("SELECT client_id FROM loans WHERE id = \(bind: loanID)").first(decodingColumn: "client_id", as: String.self) else {
                return (false, true)
            }
            let screened = try await screening.screenCounterparty(
                name: name, identifiers: rfc.isEmpty ? [] : [rfc], clientID: clientID, lenderID: lenderID, actor: actor, on: db
            )
            if !rfc.isEmpty {
                let index = keys.cipher.blindIndex(rfc, field: "clients.rfc")
                let same = try await db.raw(
                    "SELECT client_id FROM client_lookups WHERE client_id = \(bind: clientID) AND kind = 'rfc' AND value_index = \(bind: index)"
                ).first() != nil
                return (screened.holds, same)
            }
            guard let stored = try await db.raw("SELECT profile FROM clients WHERE id = \(bind: clientID)").first(decodingColumn: "profile", as: String.self),
                  let profile = try? JSONDecoder().decode(ClientProfile.self, from: Data(try keys.decrypt(stored, field: ClientDirectory.field).utf8))
            else { return (screened.holds, true) }
            return (screened.holds, Self.sameName(payer: name, client: profile))
        }
    }

    /// Whether a payer's name is the client's: the same words in any order, or for a person all but the maternal surname.
    static func sameName(payer: String, client: ClientProfile) -> Bool {
        let payerWords = Set(NameText.tokens(payer))
        let clientWords = Set(NameText.tokens(client.displayName))
        guard !payerWords.isEmpty else { return true }
        if payerWords == clientWords { return true }
        guard let person = client.individual else { return false }
        let required = Set(NameText.tokens(person.givenNames).prefix(1) + NameText.tokens(person.paternalSurname))
        return payerWords.isSubset(of: clientWords) && required.isSubset(of: payerWords)
    }
}
