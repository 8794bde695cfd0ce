// swift-tools-version:6.2
// Benchmarks live in their own package so the main build stays fast. Run from this folder:
//   swift run -c release CarteraBenchmarks [--json]
//   swift run -c release ReconciliationBenchmark [LINES=1000000] [--write-csv FOLDER]
import PackageDescription

let package = Package(
    name: "CarteraBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "Cartera", path: ".."),
    ],
    targets: [
        .executableTarget(
            name: "CarteraBenchmarks",
            dependencies: [.product(name: "CarteraCore", package: "Cartera"), .product(name: "Lending", package: "Cartera")]
        ),
        .executableTarget(
            name: "ReconciliationBenchmark",
            dependencies: [
                .product(name: "CarteraCore", package: "Cartera"), .product(name: "Reconciliation", package: "Cartera"),
            ]
        ),
    ]
)
