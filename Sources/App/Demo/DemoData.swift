import CarteraCore
import Foundation
import Lending
import HummingbirdBcrypt
import SQLKit
import CarteraSecurity
import Store

/// The demo lender and its administrator, created by `cartera serve --demo`.
///
/// The demo refuses to run on a database that holds a real lender. On every `--demo` start the demo administrator
/// gets a new random password, printed on the terminal, so whoever runs the demo can always sign in and no fixed
/// password exists anywhere. Later issues add their demo data here.
public enum DemoData {
    /// The id of the demo lender.
    public static let lenderID = "demo"
    /// The demo administrator's user name.
    public static let adminUsername = "admin"
    /// The demo administrator's user id.
    public static let adminUserID = "demo-admin"

    /// What the person running the demo needs to sign in.
    public struct Credentials: Sendable {
        public let username: String
        public let password: String
        /// `true` when this start created the demo data; `false` when it already existed.
        public let created: Bool
    }

    /// The demo cannot run on this database.
    public struct RealDataPresent: CarteraError {
        public var code: String { "demo_on_real_data" }
        public var message: String {
            "La base de datos ya contiene datos de un otorgante real; --demo solo se usa con una base nueva o de demostración. "
                + "Indique otra base en CARTERA_DATABASE_URL (por ejemplo sqlite://./demo.sqlite)."
        }
    }

    /// Creates the demo lender and administrator if needed and gives the administrator a fresh password.
    /// On the first start it also generates a portfolio of `portfolio` clients with loans and payment histories
    /// (`progress` is told how many are done).
    public static func seed(
        database: Database, keys: LiveKeys, now: Timestamp = .now, bcryptCost: UInt8 = 12, portfolio: Int = 0, clabeRange: VirtualCLABERange? = nil,
        progress: (@Sendable (Int, Int) -> Void)? = nil
    ) async throws -> Credentials {
        let password = makePassword()
        let hash = Bcrypt.hash(password, cost: bcryptCost)
        let created = try await database.transaction { db in
            let lenders = try await db.raw("SELECT id FROM lenders").all(decodingColumn: "id", as: String.self)
            if lenders.contains(where: { $0 != lenderID }) { throw RealDataPresent() }
            let created = lenders.isEmpty
            if created {
                try await db.raw(
                    """
                    INSERT INTO lenders (id, legal_name, short_name, rfc, created_at)
                    VALUES (\(bind: lenderID), \(bind: "Financiera Demostración, S.A. de C.V., SOFOM, E.N.R."),
                            \(bind: "Financiera Demo"), \(bind: demoLenderRFC), \(bind: now.text))
                    """
                ).run()
                try await db.raw(
                    """
                    INSERT INTO users (id, lender_id, username, display_name, role, password_hash, active, created_at)
                    VALUES (\(bind: adminUserID), \(bind: lenderID), \(bind: adminUsername),
                            \(bind: keys.cipher.encrypt("Administrador de demostración", field: "users.display_name")), 'administrador', \(bind: hash), \(unsafeRaw: "TRUE"), \(bind: now.text))
                    """
                ).run()
                try await AuditLog.append(
                    Administration.entry(actor: .init(kind: .system, id: "demo"), action: "demo.seed", objectType: "lender",
                                         objectID: lenderID, at: now, change: demoLenderRFC),
                    on: db
                )
            } else {
                try await db.raw(
                    "UPDATE users SET password_hash = \(bind: hash) WHERE lender_id = \(bind: lenderID) AND username = \(bind: adminUsername)"
                ).run()
                try await AuditLog.append(
                    Administration.entry(actor: .init(kind: .system, id: "demo"), action: "user.password_reset", objectType: "user",
                                         objectID: adminUserID, at: now, change: ""),
                    on: db
                )
            }
            return created
        }
        if created {
            let catalog = ProductCatalog(database: database, clock: { now })
            for product in demoProducts {
                _ = try await catalog.save(product, lenderID: lenderID, actor: .init(kind: .system, id: "demo"))
            }
            if portfolio > 0 {
                _ = try await DemoPortfolio(database: database, keys: keys).seed(lenderID: lenderID, count: portfolio, progress: progress)
                // Yesterday's bank statement, for the reconciliation.
                try await DemoStatement.seed(database: database, keys: keys, lenderID: lenderID, now: now, range: clabeRange ?? DemoStatement.range)
            }
        }
        return Credentials(username: adminUsername, password: password, created: created)
    }

    /// Three products a small SOFOM typically offers, for the cotizador and, later, the demo portfolio.
    static var demoProducts: [Product] {
        [
            Product(
                code: "PERSONAL", name: "Crédito personal", annualRate: .percent(60), frequency: .mensual,
                minimumAmount: .mxn(centavos: 500_000), maximumAmount: .mxn(centavos: 10_000_000), minimumTerm: 6, maximumTerm: 36,
                openingFee: .percent(.percent(2))
            ),
            Product(
                code: "NOMINA", name: "Crédito de nómina", annualRate: .percent(36), frequency: .quincenal,
                minimumAmount: .mxn(centavos: 300_000), maximumAmount: .mxn(centavos: 6_000_000), minimumTerm: 12, maximumTerm: 72,
                openingFee: .amount(.mxn(centavos: 15_000)), openingFeeTreatment: .financed
            ),
            Product(
                code: "MICRO", name: "Microcrédito semanal", annualRate: .percent(120), frequency: .semanal,
                minimumAmount: .mxn(centavos: 200_000), maximumAmount: .mxn(centavos: 2_000_000), minimumTerm: 8, maximumTerm: 24,
                moratorium: .fixed(.percent(180)), lateFee: .mxn(centavos: 15_000)
            ),
        ]
    }

    /// A persona moral RFC for the demo lender, with a correct check digit.
    static let demoLenderRFC: String = {
        let body = "FDE200115K3"
        return body + String(RFC.checkDigit(for: body)!)
    }()

    /// 20 random characters from an alphabet without look-alikes (no 0/O, 1/l/I).
    static func makePassword() -> String {
        let alphabet = Array("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        var generator = SystemRandomNumberGenerator()
        return String((0..<20).map { _ in alphabet[Int(generator.next(upperBound: UInt(alphabet.count)))] })
    }
}
