/// What a signed-in user may do. Routes declare the permission they need; roles grant permissions.
///
/// Anything not granted here is denied: a role has exactly the permissions listed in `Role.permissions`.
public enum Permission: String, Sendable, Hashable, CaseIterable {
    /// The back office: dashboard and navigation (every staff role).
    case useBackOffice = "back_office"
    /// The borrower's portal.
    case usePortal = "portal"
    /// Create, deactivate and unlock users; reset their second factor.
    case manageUsers = "users:manage"
    /// Create and deactivate API clients.
    case manageAPIClients = "api_clients:manage"
    /// Read the audit log.
    case readAudit = "audit:read"
    /// Look up clients and read their files.
    case readClients = "clients:read"
    /// Register clients and change their data.
    case manageClients = "clients:manage"
    /// Open the documents in clients' identification files (IDs, proofs of address, deeds); every reading is audited.
    case readIdentityDocuments = "kyc_documents:read"
    /// Define credit products (each change is a new version).
    case manageProducts = "products:manage"
    /// Read loans, their schedules, payments and statements.
    case readLoans = "loans:read"
    /// Take loan applications and cancel them before disbursement.
    case originateLoans = "loans:originate"
    /// Approve applications and write loans off (credit decisions, recorded with who made them).
    case approveLoans = "loans:approve"
    /// Disburse approved loans.
    case disburseLoans = "loans:disburse"
    /// Record payments received.
    case postPayments = "payments:post"
    /// Reverse a payment, with a reason.
    case reversePayments = "payments:reverse"
    /// Read the journal and verify the ledger.
    case readLedger = "ledger:read"
    /// Set up the payment gateways: keys, webhook secrets, base URLs.
    case manageGateways = "gateways:manage"
    /// Import bank statements and see the lines they brought.
    case importStatements = "statements:import"
    /// Collection work on a loan: pause it, record promises to pay and the borrower's contact consents.
    case manageCollections = "collections:manage"
    /// Give collection accounts to gestores and see every gestor's accounts (a collections supervisor).
    case assignCollections = "collections:assign"
    /// Set up collections: delinquency buckets, dunning policies and the message templates borrowers receive.
    case configureCollections = "collections:configure"
    /// See PLD work: list matches, alerts and cases, monitoring (confidential: the client must not learn of it).
    case readCompliance = "compliance:read"
    /// Review list matches, lift suspensions and take cases through analysis, the committee's decision and the report.
    case manageCompliance = "compliance:manage"
}

extension Role {
    /// The permissions this role grants.
    public var permissions: Set<Permission> {
        switch self {
        case .administrador:
            [
                .useBackOffice, .manageUsers, .manageAPIClients, .readAudit, .readClients, .manageClients, .readIdentityDocuments, .manageProducts, .readLoans,
                .originateLoans, .approveLoans, .disburseLoans, .postPayments, .reversePayments, .readLedger, .manageGateways, .importStatements,
                .manageCollections, .assignCollections, .configureCollections,
            ]
        case .oficialCumplimiento: [.useBackOffice, .readAudit, .readClients, .readIdentityDocuments, .readLoans, .readCompliance, .manageCompliance]
        case .auditor: [.useBackOffice, .readAudit, .readClients, .readIdentityDocuments, .readLoans, .readLedger, .readCompliance]
        case .analistaCredito: [.useBackOffice, .readClients, .manageClients, .readIdentityDocuments, .readLoans, .originateLoans]
        case .gestorCobranza: [.useBackOffice, .readClients, .readLoans, .postPayments, .importStatements, .manageCollections]
        case .acreditado: [.usePortal]
        }
    }

    /// Whether the role grants `permission`.
    public func allows(_ permission: Permission) -> Bool { permissions.contains(permission) }
}
