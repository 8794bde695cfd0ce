import CarteraTestSupport
import Foundation
import Testing

@Suite("Command line: scoring train")
struct ScoringCLITests {
    @Test("Trains on German credit: prints the holdout metrics and the card, writes the report with --output, and --json has the same figures", .enabled(if: SharedFixtures.enabled))
    func train() async throws {
        let data = SharedFixtures.url("credit/germancredit.csv").path
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("scorecard-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: output) }
        let result = try await CLI.run(["scoring", "train", "--data", data, "--target", "creditability", "--bad", "bad", "--output", output.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("✓ Tarjeta de puntaje con 11 variables."))
        #expect(result.stdout.contains("Reserva: 321 filas (87 malas): AUC 0.798 · Gini 0.597 · KS 0.507"))
        #expect(result.stdout.contains("PSI reserva contra entrenamiento: 0.0628 (sin cambio significativo)"))
        #expect(result.stdout.contains("Puntos (base 445):"))

        struct Report: Decodable {
            struct Separation: Decodable { let auc: Double; let rows: Int }
            struct Card: Decodable { let basePoints: Int; let points: [[Int]] }
            let holdout: Separation
            let card: Card
            let psi: Double
        }
        let saved = try JSONDecoder().decode(Report.self, from: Data(contentsOf: output))
        #expect(saved.holdout.rows == 321 && abs(saved.holdout.auc - 0.798335) < 5e-4 && saved.card.basePoints == 445 && saved.card.points.count == 11)
        let json = try await CLI.run(["scoring", "train", "--data", data, "--target", "creditability", "--bad", "bad", "--json"])
        #expect(json.status == 0)
        let printed = try JSONDecoder().decode(Report.self, from: Data(json.stdout.utf8))
        #expect(printed.holdout.auc == saved.holdout.auc && printed.psi == saved.psi)
    }

    @Test("Bad input: a missing target names the columns; a missing file and an unclosed quote say what to fix (exit 1); an option out of range is a usage error")
    func refused() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("scoring-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("solicitudes.csv")
        try "edad,ingreso,malo\n30,100,1\n40,200,0\n".write(to: file, atomically: true, encoding: .utf8)
        let noTarget = try await CLI.run(["scoring", "train", "--data", file.path, "--target", "resultado"])
        #expect(noTarget.status == 1)
        #expect(noTarget.stderr.contains("No hay una columna «resultado». Columnas del archivo: edad, ingreso, malo."))
        let missing = try await CLI.run(["scoring", "train", "--data", folder.appendingPathComponent("no.csv").path, "--target", "malo"])
        #expect(missing.status == 1 && missing.stderr.contains("No se pudo leer"))
        try "edad,malo\n30,\"1\n".write(to: file, atomically: true, encoding: .utf8)
        let unclosed = try await CLI.run(["scoring", "train", "--data", file.path, "--target", "malo"])
        #expect(unclosed.status == 1 && unclosed.stderr.contains("abre comillas que no cierra"))
        let holdout = try await CLI.run(["scoring", "train", "--data", file.path, "--target", "malo", "--holdout", "0.9"])
        #expect(holdout.status != 0 && holdout.stderr.contains("--holdout va de 0.05 a 0.5."))
    }
}
