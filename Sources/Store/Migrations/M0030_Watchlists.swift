extension Migration {
    /// Sanctions, blocked-persons and PEP lists for screening: each list as last imported (its format, number of entries,
    /// the SHA-256 of the files it came from, who imported it and when) and its entries, each kept whole as JSON (names,
    /// aliases, programs, identifiers, dates of birth, remarks). An import replaces a list's entries in one transaction.
    static let m0030Watchlists = Migration(version: 30, name: "create_watchlists") { t in
        [
            """
            CREATE TABLE watchlists (
                list TEXT PRIMARY KEY,
                format TEXT NOT NULL,
                entries INTEGER NOT NULL,
                source_sha256 TEXT NOT NULL,
                imported_at \(t.instant) NOT NULL,
                imported_by TEXT NOT NULL
            )
            """,
            """
            CREATE TABLE watchlist_entries (
                list TEXT NOT NULL REFERENCES watchlists (list),
                id TEXT NOT NULL,
                entry TEXT NOT NULL,
                PRIMARY KEY (list, id)
            )
            """,
        ]
    }
}
