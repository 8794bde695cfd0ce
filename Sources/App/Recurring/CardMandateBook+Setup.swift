import CarteraCore
import CarteraSecurity
import Clients
import Foundation
import HTTPTypes
import Integrations
import Lending
import Logging
import SQLKit
import Store

/// Domiciliación from the portal: the borrower accepts the authorisation in Cartera, saves the card on the gateway's
/// own page (Cartera never sees it), and comes back; the card then becomes an active authorisation of the loan.
extension CardMandateBook {
    /// How long the provider's page takes the card: an hour.
    static let setupSeconds: Int64 = 3600
    /// A setup whose page never opened is given up after ten minutes.
    static let openingSeconds: Int64 = 600
    /// The least time between two questions to the provider about one setup.
    static let checkSeconds: Int64 = 15
    /// How long past its end a page still open at the provider is waited for.
    static let graceSeconds: Int64 = 300

    /// Setups left open by borrowers who never came back, asked about by the recurring-charges pass: a card they saved
    /// becomes their authorisation without another visit. Returns how many ended (made a mandate, expired or failed).
    public func finishAbandonedSetups(olderThan seconds: Int64 = 120) async throws -> Int {
        let cutoff = clock().adding(seconds: -seconds)
        let open = try await database.withConnection { db in
            try await db.raw("SELECT id FROM card_setups WHERE status = 'open' AND created_at < \(bind: cutoff.text) ORDER BY created_at LIMIT 200")
                .all(decodingColumn: "id", as: String.self)
        }
        var ended = 0
        for id in open {
            if let setup = try? await finishSetup(id, actor: Self.sweeper), setup.status != .open { ended += 1 }
        }
        return ended
    }

    static let sweeper = Administration.Actor(kind: .system, id: "domiciliacion")

    /// The card as the authorisation names it before the borrower chooses it on the provider's page.
    static let cardOnPage = "(la que registre en la página segura de la pasarela de pago)"

    /// The gateways where a borrower can save a card on the provider's page.
    public var setupProviders: [GatewayProvider] {
        intents.connectors.providers.filter { provider in
            intents.connectors[provider].map { $0.savesCardsOnItsPage && $0.methods.contains(.savedCard) } ?? false
        }
    }

    /// What a borrower is about to authorise for `loanID` (checked, before they accept it): the gateway, the most one
    /// charge may take, and the authorisation's words.
    public struct SetupTerms: Sendable {
        public let provider: GatewayProvider
        public let maxAmount: Money?
        public let consent: String
    }

    /// Checks a borrower's choice and writes the authorisation they are asked to accept.
    public func setupTerms(loanID: String, provider: String, maxAmount: String?, lenderID: String) async throws -> SetupTerms {
        guard let provider = GatewayProvider(rawValue: provider), setupProviders.contains(provider) else {
            throw Self.refusal("gateway_required", "Elija una de las pasarelas de la lista.")
        }
        let limit = try Self.maxAmount(maxAmount)
        _ = try await mandatable(loanID, lenderID: lenderID)
        let lender = try await database.withConnection { db in
            try await db.raw("SELECT legal_name FROM lenders WHERE id = \(bind: lenderID)").first(decodingColumn: "legal_name", as: String.self) ?? "la financiera"
        }
        return SetupTerms(provider: provider, maxAmount: limit, consent: Self.consentText(loanID: loanID, lender: lender, card: Self.cardOnPage, maxAmount: limit))
    }

    /// The borrower accepted `terms` (shown word for word): records the setup, and opens the provider's page, where
    /// the borrower saves the card and from which the provider sends them to `returnURL(setupID)`.
    public func beginSetup(loanID: String, terms: SetupTerms, returnURL: (String) -> String, lenderID: String, actor: Administration.Actor) async throws -> CardSetupRecord {
        // A setup left open (the borrower never came back) may have saved its card: it counts first.
        for open in try await setups(loanID: loanID, lenderID: lenderID) where open.status == .open {
            _ = try? await finishSetup(open.id, actor: actor)
        }
        let checked = try await setupTerms(loanID: loanID, provider: terms.provider.rawValue, maxAmount: terms.maxAmount.map { $0.decimalText }, lenderID: lenderID)
        guard checked.consent == terms.consent, let connector = intents.connectors[terms.provider] else {
            throw Self.refusal("consent_changed", "La autorización cambió mientras la leía. Revísela y acéptela de nuevo.", status: .conflict)
        }
        let (loan, _) = try await intents.book.position(loanID, lenderID: lenderID)
        let client = try await intents.directory.get(id: loan.clientId)
        let customerID: String
        do {
            customerID = try await connector.createCustomer(name: client?.displayName ?? "Acreditado \(loan.clientId)", email: client?.profile.email, reference: loan.clientId)
        } catch {
            throw PaymentIntentBook.refusal(error)
        }
        let now = clock()
        let id = APIClients.timeOrderedID("dse_", at: now)
        let expires = now.adding(seconds: Self.setupSeconds)
        try await database.transaction { db in
            try await db.raw(
                """
                INSERT INTO card_setups (id, lender_id, loan_id, client_id, provider, provider_customer_id, max_amount, consent, status, requested_by, created_at,
                    expires_at, row_version)
                VALUES (\(bind: id), \(bind: lenderID), \(bind: loanID), \(bind: loan.clientId), \(bind: connector.provider.rawValue), \(bind: customerID),
                    \(bind: terms.maxAmount?.minorUnits), \(bind: terms.consent), 'open', \(bind: actor.id), \(bind: now.text), \(bind: expires.text), 1)
                """
            ).run()
            try await AuditLog.append(
                Administration.entry(
                    actor: actor, action: "card_setup.begin", objectType: "card_setup", objectID: id, at: now,
                    change: "\(loanID) \(connector.provider.rawValue) \(terms.maxAmount?.minorUnits.description ?? "-")"
                ),
                on: db
            )
        }
        let page: GatewayCardSetup
        do {
            page = try await connector.cardSetup(GatewayCardSetupRequest(
                setupID: id, customerID: customerID, payerEmail: client?.profile.email, returnURL: returnURL(id), expiresAt: expires
            ))
        } catch {
            try await end(id, status: .failed, message: error.message, mandateID: nil, actor: actor)
            throw PaymentIntentBook.refusal(error)
        }
        let opened = try await database.withConnection { db in
            try await db.raw(
                """
                UPDATE card_setups SET provider_setup_id = \(bind: page.id), page_url = \(bind: page.url), expires_at = \(bind: (page.expiresAt ?? expires).text),
                    row_version = row_version + 1
                WHERE id = \(bind: id) AND status = 'open' RETURNING id
                """
            ).all().count
        }
        guard opened == 1 else {
            throw Self.refusal("card_setup_ended", "El registro de la tarjeta se cerró mientras se abría la página. Inténtelo de nuevo.", status: .conflict)
        }
        return try await setup(id) ?? { throw Self.refusal("card_setup_not_found", "No encontramos el registro de la tarjeta.", status: .notFound) }()
    }

    /// Asks the provider how an open setup stands and acts on it: a saved card becomes the loan's active
    /// authorisation (channel `portal`, authorised by the borrower who asked, with the words they accepted); a page
    /// that closed without a card ends the setup. A setup already finished is returned as it is.
    public func finishSetup(_ id: String, actor: Administration.Actor) async throws -> CardSetupRecord? {
        guard let setup = try await setup(id) else { return nil }
        guard setup.status == .open else { return setup }
        let now = clock()
        let created = Timestamp(text: setup.createdAt) ?? now
        let expires = Timestamp(text: setup.expiresAt) ?? now
        guard let providerSetupID = setup.providerSetupId else {
            // The provider's page is being opened (or opening it died half-way: given up after ten minutes).
            if created.adding(seconds: Self.openingSeconds) < now {
                try await end(id, status: .failed, message: "No se pudo abrir la página de \(setup.provider.name).", mandateID: nil, actor: actor)
            }
            return try await self.setup(id)
        }
        guard let connector = intents.connectors[setup.provider] else {
            try await end(id, status: .failed, message: "\(setup.provider.name) ya no está configurado en la financiera.", mandateID: nil, actor: actor)
            return try await self.setup(id)
        }
        // The provider is asked at most every 15 seconds per setup (the return page needs no session).
        if let checked = setup.checkedAt.flatMap(Timestamp.init(text:)), now < checked.adding(seconds: Self.checkSeconds) { return setup }
        try await database.withConnection { db in
            try await db.raw("UPDATE card_setups SET checked_at = \(bind: now.text) WHERE id = \(bind: id) AND status = 'open'").run()
        }
        let state: GatewayCardSetupState
        do {
            state = try await connector.cardSetupState(providerSetupID)
        } catch {
            // The provider could not say: the setup stays open and is asked again — for a day past its page's end.
            logger.warning("card setup state unknown", metadata: ["setup": "\(id)", "error": "\(error.code)"])
            if expires.adding(seconds: 86_400) < now {
                try await end(id, status: .failed, message: "\(setup.provider.name) no confirmó si se guardó la tarjeta.", mandateID: nil, actor: actor)
                return try await self.setup(id)
            }
            return setup
        }
        switch state {
        case .open:
            // A few minutes' grace past the page's end: the provider's clock decides when it closes.
            if expires.adding(seconds: Self.graceSeconds) < now {
                try await end(id, status: .expired, message: nil, mandateID: nil, actor: actor)
                return try await self.setup(id)
            }
            return setup
        case .expired:
            try await end(id, status: .expired, message: nil, mandateID: nil, actor: actor)
            return try await self.setup(id)
        case .saved(let card):
            return try await activate(setup, card: card, connector: connector, actor: actor)
        }
    }

    /// The card saved on the provider's page becomes the loan's authorisation — unless the card has expired, the loan
    /// is no longer payable, or another authorisation got there first (the card is then deleted at the provider).
    func activate(_ setup: CardSetupRecord, card: SavedCard, connector: any PaymentGateway, actor: Administration.Actor) async throws -> CardSetupRecord? {
        let now = clock()
        let borrower = Administration.Actor(kind: .user, id: setup.requestedBy, ipAddress: actor.ipAddress, requestID: actor.requestID)
        var refusal: String?
        if card.hasExpired(by: intents.book.today()) {
            refusal = "La tarjeta está vencida. Registre una tarjeta vigente."
        } else if let loan = try? await intents.book.position(setup.loanId, lenderID: setup.lenderId).0, loan.status != .active {
            refusal = "El crédito ya no está vigente (\(loan.status.label.lowercased())); no se domicilió."
        }
        if let refusal {
            try await end(setup.id, status: .failed, message: refusal, mandateID: nil, actor: borrower)
            await removeQuietly(connector, customerID: setup.providerCustomerId, card: card)
            return try await self.setup(setup.id)
        }
        let mandateID = APIClients.timeOrderedID("dom_", at: now)
        do {
            let claimed = try await database.transaction { db -> Bool in
                let claimed = try await db.raw(
                    """
                    UPDATE card_setups SET status = 'completed', finished_at = \(bind: now.text), row_version = row_version + 1
                    WHERE id = \(bind: setup.id) AND status = 'open' RETURNING id
                    """
                ).all()
                // Another visit finished it meanwhile: nothing more to do here (the card is looked at below).
                guard claimed.count == 1 else { return false }
                let existing = try await db.raw("SELECT id FROM card_mandates WHERE loan_id = \(bind: setup.loanId) AND status = 'active'").first()
                guard existing == nil else {
                    throw Self.refusal("mandate_exists", "El crédito ya tiene una domiciliación activa; esta tarjeta no se registró.", status: .conflict)
                }
                try await Self.insertMandate(
                    id: mandateID, lenderID: setup.lenderId, loanID: setup.loanId, clientID: setup.clientId, provider: setup.provider, customerID: setup.providerCustomerId,
                    card: card, maxAmount: setup.maxMoney, consent: setup.consent, channel: "portal", at: now, actor: borrower, on: db
                )
                try await db.raw("UPDATE card_setups SET mandate_id = \(bind: mandateID) WHERE id = \(bind: setup.id)").run()
                try await AuditLog.append(
                    Administration.entry(
                        actor: borrower, action: "card_setup.complete", objectType: "card_setup", objectID: setup.id, at: now, change: "\(mandateID) \(card.brand) \(card.last4)"
                    ),
                    on: db
                )
                return true
            }
            // Another visit ended the setup meanwhile; unless its mandate holds this card, the card goes.
            if !claimed { await removeQuietly(connector, customerID: setup.providerCustomerId, card: card) }
        } catch {
            let message = (error as? APIError)?.message ?? "El crédito ya tiene una domiciliación activa; esta tarjeta no se registró."
            try await end(setup.id, status: .failed, message: message, mandateID: nil, actor: borrower)
            await removeQuietly(connector, customerID: setup.providerCustomerId, card: card)
        }
        return try await self.setup(setup.id)
    }

    /// Ends an open setup without a mandate.
    func end(_ id: String, status: CardSetupRecord.Status, message: String?, mandateID: String?, actor: Administration.Actor) async throws {
        let now = clock()
        try await database.transaction { db in
            let ended = try await db.raw(
                """
                UPDATE card_setups SET status = \(bind: status.rawValue), error_message = \(bind: message), mandate_id = \(bind: mandateID),
                    finished_at = \(bind: now.text), row_version = row_version + 1
                WHERE id = \(bind: id) AND status = 'open' RETURNING id
                """
            ).all()
            guard ended.count == 1 else { return }
            try await AuditLog.append(
                Administration.entry(actor: actor, action: "card_setup.\(status.rawValue)", objectType: "card_setup", objectID: id, at: now, change: message ?? ""), on: db
            )
        }
    }

    /// A setup by its id (80 random bits: the key of the provider's return page).
    public func setup(_ id: String) async throws -> CardSetupRecord? {
        try await database.withConnection { db in
            try await db.raw("SELECT \(CardSetupRecord.columns) FROM card_setups WHERE id = \(bind: id)").first().map(CardSetupRecord.init)
        }
    }

    /// The loan's setups, latest first.
    public func setups(loanID: String, lenderID: String) async throws -> [CardSetupRecord] {
        try await database.withConnection { db in
            try await db.raw(
                "SELECT \(CardSetupRecord.columns) FROM card_setups WHERE loan_id = \(bind: loanID) AND lender_id = \(bind: lenderID) ORDER BY created_at DESC, id DESC LIMIT 20"
            ).all().map(CardSetupRecord.init)
        }
    }
}
