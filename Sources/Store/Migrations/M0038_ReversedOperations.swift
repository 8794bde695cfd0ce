extension Migration {
    /// A monitored operation whose payment was reversed (a payment recorded in error) carries when: it leaves the
    /// relevantes, the profile and structuring windows; a case it already raised stays for compliance to close.
    static let m0038ReversedOperations = Migration(version: 38, name: "reversed_monitored_operations") { _ in
        [
            "ALTER TABLE compliance_operations ADD COLUMN reversed_at TEXT",
        ]
    }
}
