// swift-tools-version:6.2
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "Cartera",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "cartera", targets: ["cartera"]),
        .library(name: "CarteraCore", targets: ["CarteraCore"]),
        .library(name: "CarteraSecurity", targets: ["CarteraSecurity"]),
        .library(name: "Clients", targets: ["Clients"]),
        .library(name: "Lending", targets: ["Lending"]),
        .library(name: "Store", targets: ["Store"]),
        .library(name: "Integrations", targets: ["Integrations"]),
        .library(name: "Payments", targets: ["Payments"]),
        .library(name: "Reconciliation", targets: ["Reconciliation"]),
        .library(name: "LoanCollections", targets: ["LoanCollections"]),
        .library(name: "Analytics", targets: ["Analytics"]),
        .library(name: "Compliance", targets: ["Compliance"]),
        .library(name: "CreditBureau", targets: ["CreditBureau"]),
        .library(name: "Sandbox", targets: ["Sandbox"]),
        .library(name: "App", targets: ["App"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-configuration.git", from: "1.4.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.0.0"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.8.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/vapor/sql-kit.git", from: "3.36.0"),
        .package(url: "https://github.com/vapor/sqlite-kit.git", from: "4.5.2"),
        .package(url: "https://github.com/vapor/postgres-kit.git", from: "2.17.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.0.0"),
        .package(url: "https://github.com/vapor/multipart-kit.git", from: "4.7.1"),
    ],
    targets: [
        // Pure domain foundation: money, rounding, Mexican identifiers. Foundation only.
        .target(
            name: "CarteraCore",
            resources: [.copy("Resources/spei-participants.csv")],
            swiftSettings: swiftSettings
        ),
        // Pure security rules: the audit hash chain, roles and permissions, password policy, sign-in throttling,
        // recovery codes, card-number detection, field encryption.
        .target(
            name: "CarteraSecurity",
            dependencies: ["CarteraCore", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings
        ),
        // Pure client identification data (KYC): personas físicas y morales, validation and normalisation.
        .target(
            name: "Clients",
            dependencies: ["CarteraCore", "CarteraSecurity"],
            swiftSettings: swiftSettings
        ),
        // Pure lending rules: rates, frequencies, quotes with schedules and the CAT.
        .target(
            name: "Lending",
            dependencies: ["CarteraCore"],
            swiftSettings: swiftSettings
        ),
        // Outside services: payment gateway connectors and webhook verification, resilient provider HTTP calls (retries, circuit breaker).
        .target(
            name: "Integrations",
            dependencies: [
                "CarteraCore",
                "CarteraSecurity",
                "Payments",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: swiftSettings
        ),
        // Pure payment intents through gateways: states, what each gateway report asks to post (exactly once).
        .target(
            name: "Payments",
            dependencies: ["CarteraCore"],
            swiftSettings: swiftSettings
        ),
        // Pure bank statements: camt.052/053/054, MT940, OFX and bank CSV parsers, and the reconciliation of their entries.
        .target(
            name: "Reconciliation",
            dependencies: ["CarteraCore"],
            swiftSettings: swiftSettings
        ),
        // Pure statistics for models trained on a lender's own history: logistic regression, AUC, Gini, KS, holdouts.
        .target(
            name: "Analytics",
            dependencies: ["CarteraCore"],
            swiftSettings: swiftSettings
        ),
        // Pure collections (cobranza): delinquency buckets, the daily loan snapshot taken at the end-of-day close.
        .target(
            name: "Compliance",
            dependencies: ["CarteraCore", "Clients"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "CreditBureau",
            dependencies: ["CarteraCore"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "LoanCollections",
            dependencies: ["CarteraCore", "Lending", "Analytics"],
            swiftSettings: swiftSettings
        ),
        // Local simulators of the outside services (gateways, STP, a bank, Twilio, WhatsApp, an SMTP sink), speaking their real protocols.
        .target(
            name: "Sandbox",
            dependencies: [
                "CarteraCore",
                "Integrations",
                "LoanCollections",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: swiftSettings
        ),
        // SQL over SQLite and PostgreSQL: connections, migrations, transactions, idempotency keys.
        .target(
            name: "Store",
            dependencies: [
                "CarteraCore",
                "CarteraSecurity",
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "SQLiteKit", package: "sqlite-kit"),
                .product(name: "PostgresKit", package: "postgres-kit"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // The Hummingbird application: configuration, routes, middleware, services, demo data.
        .target(
            name: "App",
            dependencies: [
                .product(name: "MultipartKit", package: "multipart-kit"),
                "CarteraCore",
                "Clients",
                "Lending",
                "Reconciliation",
                "LoanCollections",
                "Compliance",
                "CreditBureau",
                "Analytics",
                "CarteraSecurity",
                "Store",
                "Integrations",
                "Payments",
                "Sandbox",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "HummingbirdOTP", package: "hummingbird-auth"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // The command line.
        .executableTarget(
            name: "cartera",
            dependencies: [
                "Analytics",
                "Compliance",
                "CreditBureau",
                "App",
                "CarteraCore",
                "Integrations",
                "Lending",
                "Reconciliation",
                "LoanCollections",
                "CarteraSecurity",
                "Store",
                "Sandbox",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Configuration", package: "swift-configuration"),
            ],
            swiftSettings: swiftSettings
        ),
        // Shared by the test targets: the engines store tests run on (SQLite, and PostgreSQL when configured).
        .target(
            name: "CarteraTestSupport",
            dependencies: [
                "Store",
                "Clients",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "HummingbirdOTP", package: "hummingbird-auth"),
            ],
            path: "Tests/Support",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CarteraCoreTests",
            dependencies: ["CarteraCore", "CarteraTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "LendingTests",
            dependencies: ["Lending", "CarteraCore", "CarteraTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ClientsTests",
            dependencies: ["Clients", "CarteraCore", "CarteraTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CarteraSecurityTests",
            dependencies: ["CarteraSecurity", "CarteraCore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ReconciliationTests",
            dependencies: ["Reconciliation", "CarteraCore", "CarteraTestSupport", .product(name: "Yams", package: "Yams")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AnalyticsTests",
            dependencies: ["Analytics", "CarteraTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ComplianceTests",
            dependencies: ["Compliance", "CarteraCore", "CarteraTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CreditBureauTests",
            dependencies: ["CreditBureau", "CarteraCore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "LoanCollectionsTests",
            dependencies: ["LoanCollections", "Analytics", "Lending", "CarteraCore", "CarteraTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "PaymentsTests",
            dependencies: ["Payments", "CarteraCore", "CarteraTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "IntegrationsTests",
            dependencies: [
                "Integrations", "CarteraCore", "CarteraTestSupport", "Payments", "Sandbox",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "StoreTests",
            dependencies: ["Store", "CarteraTestSupport", "CarteraCore", "CarteraSecurity", .product(name: "SQLKit", package: "sql-kit")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CLITests",
            dependencies: ["Store", "CarteraTestSupport", "CarteraSecurity", "CarteraCore", .product(name: "SQLKit", package: "sql-kit")],
            swiftSettings: swiftSettings
        ),
        // Real headless Chromium through chromedriver against `cartera serve` (see Tests/BrowserTests).
        .testTarget(
            name: "BrowserTests",
            dependencies: ["CarteraTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AppTests",
            dependencies: [
                "App",
                "Analytics",
                "Compliance",
                "CarteraSecurity",
                "CarteraTestSupport",
                "Clients",
                "Integrations",
                "Sandbox",
                "Reconciliation",
                "LoanCollections",
                "Store",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "JWTKit", package: "jwt-kit"),
                "CarteraCore",
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
