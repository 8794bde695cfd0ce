import App
import ArgumentParser

/// `cartera version`
struct Version: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Muestra la versión de Cartera.")

    @Flag(help: "Imprime el resultado como JSON.")
    var json = false

    func run() throws {
        if json {
            try Terminal.printJSON(["version": CarteraVersion.current])
        } else {
            print("cartera \(CarteraVersion.current)")
        }
    }
}
