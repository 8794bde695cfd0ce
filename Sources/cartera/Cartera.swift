import App
import ArgumentParser
import CarteraCore
import Foundation
import Logging

/// The `cartera` command line.
struct Cartera: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cartera",
        abstract: "Cartera: cartera de crédito para SOFOMs.",
        version: CarteraVersion.current,
        subcommands: [Serve.self, Migrate.self, Validate.self, QuoteCommand.self, LenderCommand.self, UsersCommand.self, APIClientsCommand.self, KeysCommand.self, Audit.self, LoansCommand.self, LedgerCommand.self, RecurringCommand.self, ImportStatementCommand.self, BankCommand.self, ReconcileCommand.self, CloseDayCommand.self, DunningCommand.self, DunningPolicyCommand.self, TrainRollModelCommand.self, ScoringCommand.self, ListsCommand.self, ScreenCommand.self, ScreeningCommand.self, CasesCommand.self, MonitoringCommand.self, RiskCommand.self, KYCCommand.self, RelationshipsCommand.self, BureauCommand.self, ReportCommand.self, GenerateCommand.self, SandboxCommand.self, Version.self]
    )
}

@main
enum Main {
    static func main() async {
        do {
            var command = try Cartera.parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as APIError {
            Terminal.printError(([error.message] + error.details.map { "\($0.field): \($0.message)" }).joined(separator: "\n  "))
            Foundation.exit(1)
        } catch let error as any CarteraError {
            Terminal.printError(error.message)
            Foundation.exit(1)
        } catch {
            Cartera.exit(withError: error)
        }
    }
}
