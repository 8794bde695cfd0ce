// swift-tools-version:6.2
// Benchmarks live in their own package so the main build stays fast. Run from this folder:
//   swift run -c release CarteraBenchmarks [--json]
//   swift run -c release ReconciliationBenchmark [LINES=1000000] [--write-csv FOLDER]
//   swift run -c release CloseBenchmark [--loans 1000000] [--base 3000] [--database URL]
//   swift run -c release ComplianceBenchmark [--clients 100000] [--fixtures ../../shared/fixtures]
import PackageDescription

let package = Package(
    name: "CarteraBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "Cartera", path: ".."),
        .package(url: "https://github.com/vapor/sql-kit.git", from: "3.36.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
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
        .executableTarget(
            name: "ComplianceBenchmark",
            dependencies: [.product(name: "CarteraCore", package: "Cartera"), .product(name: "Compliance", package: "Cartera")]
        ),
        .executableTarget(
            name: "CloseBenchmark",
            dependencies: [
                .product(name: "App", package: "Cartera"), .product(name: "CarteraCore", package: "Cartera"), .product(name: "Store", package: "Cartera"),
                .product(name: "Lending", package: "Cartera"),
                .product(name: "CarteraSecurity", package: "Cartera"), .product(name: "SQLKit", package: "sql-kit"), .product(name: "Logging", package: "swift-log"),
            ]
        ),
    ]
)
