import CarteraCore
import CarteraSecurity
import Foundation
import Lending
import Reconciliation
import Store

/// The demo lender's bank statement: yesterday's deposits in its Santander account as the bank exports them (CSV) —
/// some sent to a loan's own CLABE, some naming the loan in the concept, some from payers named like a client, some
/// nobody's — imported and left for the reconciliation (`/conciliacion`, `cartera reconcile`).
enum DemoStatement {
    static let account = "014180655000000001"
    static let range = try! VirtualCLABERange(prefix: "6461809999")

    /// `range`: the lender's loan CLABEs (the demo's own unless one is configured).
    static func seed(database: Database, keys: LiveKeys, lenderID: String, now: Timestamp, range: VirtualCLABERange = range) async throws {
        let book = LoanBook(database: database, clock: { now })
        let loans = try await book.recent(lenderID: lenderID, status: .active, limit: 15)
        guard loans.count >= 12 else { return }
        let clabes = LoanCLABEs(database: database, range: range, clock: { now })
        let directory = ClientDirectory(database: database, keys: keys, clock: { now })
        let day = book.today().adding(days: -1)
        let date = String(format: "'%02d%02d%04d", day.day, day.month, day.year)
        var rows = ["Fecha,Hora,Descripcion,Cargo/Abono,Importe,Saldo,Referencia,Concepto,Clabe Beneficiario,Nombre Beneficiario"]
        for (index, loan) in loans.prefix(12).enumerated() {
            let due = try await book.position(loan.id, lenderID: lenderID).1?.nextInstallment?.remaining
            let amount = (due?.isPositive == true ? due! : Money.mxn(centavos: 50_000)).decimalText
            let time = String(format: "%02d:%02d", 9 + index / 6, (index * 7) % 60)
            switch index {
            case 0..<5:
                let clabe = try await clabes.clabe(of: loan.id, lenderID: lenderID) ?? ""
                rows.append("\(date),\(time),ABONO SPEI,+,\(amount),0,\(8_000 + index),PAGO,\(clabe),")
            case 5..<9:
                rows.append("\(date),\(time),ABONO SPEI,+,\(amount),0,\(8_000 + index),PAGO CREDITO \(loan.id.uppercased().replacingOccurrences(of: "_", with: "")),,")
            default:
                let name = try await directory.get(id: loan.clientId)?.displayName.uppercased() ?? ""
                rows.append("\(date),\(time),ABONO SPEI,+,\(amount),0,\(8_000 + index),TRANSFERENCIA,002180700000\(String(format: "%06d", index)),\(name)")
            }
        }
        rows.append("\(date),15:10,ABONO SPEI,+,12345.67,0,8100,FACTURA 991,014180655000000777,COMERCIALIZADORA DEL NORTE SA DE CV")
        rows.append("\(date),16:40,DEPOSITO EFECTIVO,+,3000.00,0,8101,DEPOSITO SUCURSAL 0452,,")
        rows.append("\(date),17:05,COMISION,-,150.00,0,8102,COMISION MANEJO DE CUENTA,,")
        _ = try await StatementImports(database: database, keys: keys, clock: { now }).importFile(
            Data(rows.joined(separator: "\n").utf8), fileName: "santander-demo.csv", profile: .santander, account: account, lenderID: lenderID,
            actor: .init(kind: .system, id: "demo")
        )
    }
}
