import CarteraCore
import CarteraSecurity
import Clients
import Foundation
import Lending
import LoanCollections
import SQLKit
import Store

/// A realistic demo portfolio: personas físicas with valid CURP and RFC, loans across the demo products and their
/// frequencies, and payment histories — most borrowers pay on time, some late, some stop paying, a few prepay.
///
/// Everything goes through the same paths as real work (client directory, loan book), so the demo's journal is a real
/// journal and `cartera ledger verify` must pass on it.
public struct DemoPortfolio: Sendable {
    let database: Database
    let keys: LiveKeys
    let clock: @Sendable () -> Timestamp

    public init(database: Database, keys: LiveKeys, clock: @escaping @Sendable () -> Timestamp = { .now }) {
        self.database = database
        self.keys = keys
        self.clock = clock
    }

    /// How a borrower behaves.
    enum Behaviour: CaseIterable {
        case punctual, late, defaulter, prepayer
    }

    static let givenNames: [(String, String)] = [
        ("María", "M"), ("Guadalupe", "M"), ("Juana", "M"), ("Verónica", "M"), ("Rosa", "M"), ("Patricia", "M"), ("Leticia", "M"),
        ("Adriana", "M"), ("Gabriela", "M"), ("Claudia", "M"), ("Sandra", "M"), ("Martha", "M"), ("José", "H"), ("Juan", "H"),
        ("Luis", "H"), ("Carlos", "H"), ("Jorge", "H"), ("Miguel", "H"), ("Pedro", "H"), ("Ricardo", "H"), ("Fernando", "H"),
        ("Roberto", "H"), ("Alejandro", "H"), ("Sergio", "H"), ("Raúl", "H"), ("Héctor", "H"),
    ]
    static let surnames = [
        "Hernández", "García", "Martínez", "López", "González", "Pérez", "Rodríguez", "Sánchez", "Ramírez", "Cruz", "Flores",
        "Gómez", "Morales", "Vázquez", "Reyes", "Jiménez", "Torres", "Díaz", "Gutiérrez", "Ruiz", "Mendoza", "Aguilar", "Ortiz",
        "Moreno", "Castillo", "Romero", "Álvarez", "Méndez", "Chávez", "Rivera", "Juárez", "Ramos", "Domínguez", "Herrera",
    ]
    static let occupations = ["Comerciante", "Empleada", "Empleado", "Chofer", "Costurera", "Profesora", "Enfermera", "Mecánico", "Albañil", "Cocinera", "Contador"]
    static let places: [(state: String, municipality: String, postalCode: String)] = [
        ("JC", "Guadalajara", "44100"), ("NL", "Monterrey", "64000"), ("DF", "Iztapalapa", "09000"), ("PL", "Puebla", "72000"),
        ("VZ", "Xalapa", "91000"), ("MC", "Toluca", "50000"), ("GT", "León", "37000"), ("YN", "Mérida", "97000"), ("OC", "Oaxaca de Juárez", "68000"),
    ]

    /// Creates `count` clients, each with a loan (some with two), and their payment histories up to today.
    /// `progress` is told how many clients of `count` are done.
    /// - Parameters:
    ///   - loans: how many loans in all (at least one per client; the extra ones go to the first clients); nil: one per
    ///     client and a second for one in ten.
    ///   - lateShare: percent of borrowers who pay late (two thirds of them) or stop paying (one third); 27 by default.
    ///   - asOf: the day histories run to (disbursements up to 420 days before it); today by default.
    public func seed(
        lenderID: String, count: Int, loans wanted: Int? = nil, lateShare: Int = 27, asOf: CalendarDate? = nil, seed: UInt64 = 2026,
        progress: (@Sendable (Int, Int) -> Void)? = nil
    ) async throws -> (clients: Int, loans: Int, payments: Int) {
        var random = SplitMix64(seed: seed)
        let directory = ClientDirectory(database: database, keys: keys, clock: clock)
        let book = LoanBook(database: database, clock: clock)
        let products = try await ProductCatalog(database: database, clock: clock).latest(lenderID: lenderID)
        guard !products.isEmpty else { return (0, 0, 0) }
        let today = min(asOf ?? book.today(), book.today())
        let actor = Administration.Actor(kind: .system, id: "demo")
        let late = max(0, min(95, lateShare))
        // Each client's identification file is completed at onboarding with sample documents, compared with the
        // "originals" on receipt, so its loans can be disbursed under the lender's file policy.
        let files = KYCFiles(database: database, keys: keys, clock: clock)
        let (_, filePolicy) = try await files.policy(lenderID: lenderID)
        let receivedOn = clock().calendarDate(utcOffsetSeconds: -6 * 3600)
        var clients = 0, loans = 0, payments = 0
        for index in 0..<count {
            let profile = Self.person(index, &random)
            let cipher = keys.cipher
            let now = clock()
            guard let client = try? await database.transaction({ db in
                let client = try await directory.create(profile, lenderID: lenderID, actor: actor, on: db)
                // The contract's contact clause: collection messages by SMS, WhatsApp and e-mail.
                for channel in [ContactChannel.sms, .whatsapp, .email] {
                    try await ContactBook.record(
                        clientID: client.id, lenderID: lenderID, channel: channel, state: .granted, source: .onboarding,
                        evidence: "Cláusula de medios de contacto del contrato (cartera de demostración)", textVersion: "demo-1", actor: actor, now: now, cipher: cipher,
                        on: db
                    )
                }
                return client
            }) else { continue }
            _ = try await files.upload(
                clientID: client.id, DemoDocuments.uploads(for: profile, policy: filePolicy, today: receivedOn), lenderID: lenderID, actor: actor, verifiedOnReceipt: true
            )
            clients += 1
            let extra = wanted.map { total in (total - count) / count + (index < (total - count) % count ? 1 : 0) } ?? (Int.random(in: 0..<10, using: &random) == 0 ? 1 : 0)
            for _ in 0..<(1 + max(0, extra)) {
                let product = products[Int.random(in: 0..<products.count, using: &random)]
                let steps = max(1, (product.maximumAmount.minorUnits - product.minimumAmount.minorUnits) / 50_000)
                let amount = Money.mxn(centavos: product.minimumAmount.minorUnits + Int64.random(in: 0...steps, using: &random) * 50_000)
                let term = Int.random(in: product.minimumTerm...min(product.maximumTerm, product.minimumTerm * 2), using: &random)
                let draw = Int.random(in: 0..<100, using: &random)
                // Punctual, then late (two thirds of the late share), then defaulters, then 5 % who prepay (27: 68/18/9/5).
                let behaviour: Behaviour = draw >= 95 ? .prepayer : draw >= 95 - late / 3 ? .defaulter : draw >= 95 - late ? .late : .punctual
                let start = today.adding(days: -Int64.random(in: 20...420, using: &random))
                let record = try await database.transaction { db in
                    try await book.apply(
                        LoanBook.Application(clientId: client.id, productCode: product.code, amount: QuoteDocument.amount(amount), term: term),
                        lenderID: lenderID, actor: actor, on: db
                    )
                }
                loans += 1
                // One in twenty applications is still waiting for a decision.
                if Int.random(in: 0..<20, using: &random) == 0 { continue }
                _ = try await book.decide(record.id, approve: true, note: "Aprobado por el comité de crédito", lenderID: lenderID, actor: actor)
                _ = try await book.disburse(record.id, on: start, channel: .spei, reference: "DISP\(index)", lenderID: lenderID, actor: actor)
                payments += try await history(record.id, behaviour: behaviour, today: today, book: book, lenderID: lenderID, random: &random)
            }
            progress?(index + 1, count)
        }
        return (clients, loans, payments)
    }

    /// Pays the loan's installments as `behaviour` would, up to `today`; returns the number of payments.
    func history(_ loanID: String, behaviour: Behaviour, today: CalendarDate, book: LoanBook, lenderID: String, random: inout SplitMix64) async throws -> Int {
        let actor = Administration.Actor(kind: .system, id: "demo")
        guard let terms = try await book.position(loanID, lenderID: lenderID, asOf: nil).1?.terms else { return 0 }
        let stopAfter = behaviour == .defaulter ? Int.random(in: 0...max(0, terms.schedule.count / 2), using: &random) : Int.max
        var count = 0
        for installment in terms.schedule {
            if count >= stopAfter { break }
            let delay: Int64 = switch behaviour {
            case .punctual, .prepayer: -Int64.random(in: 0...3, using: &random)
            case .late: Int.random(in: 0..<3, using: &random) == 0 ? Int64.random(in: 3...45, using: &random) : 0
            case .defaulter: Int64.random(in: 0...20, using: &random)
            }
            let date = max(installment.dueDate.adding(days: delay), terms.disbursementDate)
            guard date <= today else { break }
            let due = try await book.position(loanID, lenderID: lenderID, asOf: date).1
            guard let due, due.status == .active else { break }
            var amount = due.amountDue
            if amount.isZero, let next = due.nextInstallment { amount = next.remaining }
            guard amount.isPositive else { continue }
            var excess = ExcessPolicy.advance
            if behaviour == .prepayer, installment.number == max(1, terms.schedule.count / 3) {
                amount += Money.mxn(centavos: (due.principalOutstanding.minorUnits / 2 / 100) * 100)
                excess = Bool.random(using: &random) ? .reduceTerm : .reducePayment
            }
            let channel: MoneyChannel = [.spei, .spei, .cash, .transfer, .conekta, .openpay][Int.random(in: 0..<6, using: &random)]
            _ = try await book.pay(
                loanID, LoanBook.PaymentRequest(amount: QuoteDocument.amount(amount), valueDate: date.text, channel: channel, reference: nil, excess: excess),
                lenderID: lenderID, actor: actor
            )
            count += 1
        }
        return count
    }

    /// A persona física with a CURP and RFC built by the published rules from the name, birth date, sex and state.
    public static func person(_ index: Int, _ random: inout SplitMix64) -> ClientProfile {
        let (given, sex) = givenNames[Int.random(in: 0..<givenNames.count, using: &random)]
        let paternal = surnames[Int.random(in: 0..<surnames.count, using: &random)]
        let maternal = surnames[Int.random(in: 0..<surnames.count, using: &random)]
        let place = places[Int.random(in: 0..<places.count, using: &random)]
        let birth = CalendarDate(year: Int.random(in: 1960...2003, using: &random), month: Int.random(in: 1...12, using: &random), day: Int.random(in: 1...28, using: &random))!
        let curp = Self.curp(given: given, paternal: paternal, maternal: maternal, birth: birth, sex: sex, state: place.state, index: index)
        let homoclave = String(format: "%02d", index % 100)
        let rfcBody = String(curp.prefix(10)) + homoclave
        let rfc = rfcBody + String(RFC.checkDigit(for: rfcBody) ?? "0")
        let phone = "55" + String(format: "%08d", 10_000_000 + index * 7_919 % 89_999_999)
        return ClientProfile(
            kind: .individual,
            individual: .init(
                givenNames: given, paternalSurname: paternal, maternalSurname: maternal, sex: sex, birthDate: birth, birthState: place.state,
                occupation: occupations[Int.random(in: 0..<occupations.count, using: &random)], curp: curp, rfc: rfc
            ),
            address: .init(
                street: "Calle \(Int.random(in: 1...99, using: &random)) de Mayo", exteriorNumber: "\(Int.random(in: 1...999, using: &random))",
                neighborhood: "Centro", municipality: place.municipality, city: place.municipality, state: place.state, postalCode: place.postalCode
            ),
            phones: [phone], email: "cliente\(index)@demo.cartera.mx"
        )
    }

    static func curp(given: String, paternal: String, maternal: String, birth: CalendarDate, sex: String, state: String, index: Int) -> String {
        func fold(_ text: String) -> [Character] { Array(text.folding(options: .diacriticInsensitive, locale: nil).uppercased()) }
        let p = fold(paternal), m = fold(maternal), g = fold(given)
        let vowels = Set("AEIOU")
        let consonants = Set("BCDFGHJKLMNPQRSTVWXYZ")
        let firstVowel = p.dropFirst().first(where: vowels.contains) ?? "X"
        func internalConsonant(_ name: [Character]) -> Character { name.dropFirst().first(where: consonants.contains) ?? "X" }
        var body = String([p[0], firstVowel, m[0], g[0]])
        body += String(format: "%02d%02d%02d", birth.year % 100, birth.month, birth.day) + sex + state
        body += String([internalConsonant(p), internalConsonant(m), internalConsonant(g)])
        body += birth.year < 2000 ? String(index % 10) : String(Array("ABCDEFGHIJ")[index % 10])
        return body + String(CURP.checkDigit(for: body) ?? 0)
    }
}
