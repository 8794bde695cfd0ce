/// What an API client may do, named `resource:action`.
public enum Scope {
    /// Every scope Cartera grants. Later issues add theirs here.
    public static let known: [String] = [
        "audit:read",
        "clients:read", "clients:write",
        // Identity documents in clients' files (IDs, proofs of address, deeds): apart from the rest of a client's data.
        "kyc_documents:read",
        // Credit-bureau queries: each is charged by the bureau and needs the borrower's authorisation.
        "bureau:query",
        "loans:read", "loans:write", "loans:approve",
        "payments:read", "payments:write", "payments:reverse",
        "ledger:read",
        "products:read", "products:write",
    ]

    /// Parses a comma- or space-separated list; nil when any scope is unknown.
    public static func parseList(_ text: String) -> [String]? {
        let scopes = text.split(whereSeparator: { $0 == "," || $0 == " " }).map(String.init)
        guard !scopes.isEmpty, scopes.allSatisfy(known.contains) else { return nil }
        return Array(Set(scopes)).sorted()
    }
}
