import App
import ArgumentParser
import CarteraCore

/// `cartera validate clabe|rfc|curp VALUE`: exit 0 when valid, 1 when not, with the reasons in Spanish.
struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Valida una CLABE, un RFC o una CURP.",
        discussion: "Termina con 0 si el valor es válido y con 1 si no lo es, e imprime los motivos."
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Qué validar: clabe, rfc o curp.")
    var kind: IdentifierKind

    @Argument(help: "El valor a validar.")
    var value: String

    @Flag(help: "Imprime el resultado como JSON.")
    var json = false

    @Flag(name: .customLong("curp-allow-sex-x"), help: "Acepta X como sexo en la CURP (no binario).")
    var curpAllowsSexX = false

    struct Output: Encodable {
        let valid: Bool
        let kind: String
        let value: String
        let reasons: [String]
        let warnings: [String]
        let bank: String?
        let details: [String: String]

        /// Writes every key, `"bank": null` included, so the shape is the same for every kind.
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(valid, forKey: .valid)
            try container.encode(kind, forKey: .kind)
            try container.encode(value, forKey: .value)
            try container.encode(reasons, forKey: .reasons)
            try container.encode(warnings, forKey: .warnings)
            try container.encode(bank, forKey: .bank)
            try container.encode(details, forKey: .details)
        }

        enum CodingKeys: String, CodingKey {
            case valid, kind, value, reasons, warnings, bank, details
        }
    }

    func run() throws {
        let configuration = try global.configuration()
        let result: IdentifierValidation
        switch kind {
        case .clabe: result = CLABE.validate(value, catalog: try configuration.bankCatalog())
        case .rfc: result = RFC.validate(value)
        case .curp: result = CURP.validate(value, options: .init(allowsSexX: curpAllowsSexX))
        }

        if json {
            try Terminal.printJSON(Output(
                valid: result.isValid,
                kind: result.kind.rawValue,
                value: result.normalized,
                reasons: result.reasons.map(\.message),
                warnings: result.warnings.map(\.message),
                bank: result.bank?.name,
                details: result.details
            ))
        } else {
            let name = kind.rawValue.uppercased()
            let ending = kind == .rfc ? "o" : "a"  // el RFC, la CLABE, la CURP
            if result.isValid {
                let bank = result.bank.map { " — \($0.name)" } ?? ""
                print("✓ \(name) válid\(ending): \(result.normalized)\(bank)")
            } else {
                print("✗ \(name) no válid\(ending): \(result.normalized.isEmpty ? "(vací\(ending))" : result.normalized)")
                for reason in result.reasons { print("  - \(reason.message)") }
            }
            for warning in result.warnings { print("  Aviso: \(warning.message)") }
        }
        if !result.isValid { throw ExitCode(1) }
    }
}

extension IdentifierKind: ExpressibleByArgument {}
