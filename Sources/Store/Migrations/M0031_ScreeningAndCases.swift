extension Migration {
    /// List screening and PLD cases.
    ///
    /// - `watchlists.purpose`: what a confirmed match on the list means — `bloqueo` (Lista de Personas Bloqueadas, UN:
    ///   suspend and report within 24 hours), `sanciones` (OFAC: suspend and report as inusual), `pep` (feeds the risk
    ///   grade), `interna` (the lender's own list).
    /// - `screening_hits`: a client, representative or beneficial owner that looks like a list entry, found at onboarding,
    ///   on a list update or on request; one row per subject, entry and version of the entry (a changed entry is reviewed
    ///   again). The subject's name is encrypted; `subject_index` is its blind index. Reviewed hits keep who decided and why.
    /// - `client_holds`: operations suspended for a client (a confirmed blocked-list match), until lifted with a reason.
    /// - `compliance_cases`: alerts under analysis — inusual, interna preocupante, 24 horas — with their 60-day (or
    ///   24-hour) deadline from detection, the committee's decision and the report; `compliance_alerts`: what raised them,
    ///   one per rule and operation; `compliance_case_events`: every step of a case, who took it and the note (encrypted).
    static let m0031ScreeningAndCases = Migration(version: 31, name: "create_screening_and_cases") { t in
        [
            "ALTER TABLE watchlists ADD COLUMN purpose TEXT NOT NULL DEFAULT 'sanciones'",
            // Lists imported before purposes existed get the one their name implies (as ListPurpose.default).
            """
            UPDATE watchlists SET purpose = CASE
                WHEN list = 'LPB' OR list LIKE 'LPB-%' OR list = 'UN' OR list LIKE 'UN-%' OR list LIKE 'ONU%' THEN 'bloqueo'
                WHEN list LIKE 'PEP%' THEN 'pep'
                WHEN list LIKE 'OFAC%' THEN 'sanciones'
                ELSE 'interna' END
            """,
            """
            CREATE TABLE screening_hits (
                id TEXT PRIMARY KEY,
                lender_id TEXT NOT NULL REFERENCES lenders (id),
                client_id TEXT NOT NULL REFERENCES clients (id),
                subject TEXT NOT NULL,
                subject_index TEXT NOT NULL,
                subject_name TEXT NOT NULL,
                list TEXT NOT NULL,
                entry_id TEXT NOT NULL,
                entry_sha256 TEXT NOT NULL,
                entry_name TEXT NOT NULL,
                score_basis_points INTEGER NOT NULL,
                matched_name TEXT NOT NULL,
                reason TEXT NOT NULL,
                status TEXT NOT NULL,
                found_at \(t.instant) NOT NULL,
                found_by TEXT NOT NULL,
                occasion TEXT NOT NULL,
                reviewed_at \(t.instant),
                reviewed_by TEXT,
                review_note TEXT,
                UNIQUE (client_id, subject_index, list, entry_id, entry_sha256)
            )
            """,
            "CREATE INDEX screening_hits_status ON screening_hits (lender_id, status, found_at)",
            "CREATE INDEX screening_hits_client ON screening_hits (client_id, status)",
            """
            CREATE TABLE client_holds (
                id TEXT PRIMARY KEY,
                lender_id TEXT NOT NULL REFERENCES lenders (id),
                client_id TEXT NOT NULL REFERENCES clients (id),
                reason TEXT NOT NULL,
                source TEXT NOT NULL,
                placed_at \(t.instant) NOT NULL,
                placed_by TEXT NOT NULL,
                lifted_at \(t.instant),
                lifted_by TEXT,
                lift_note TEXT
            )
            """,
            "CREATE INDEX client_holds_client ON client_holds (client_id, lifted_at)",
            """
            CREATE TABLE compliance_cases (
                id TEXT PRIMARY KEY,
                lender_id TEXT NOT NULL REFERENCES lenders (id),
                kind TEXT NOT NULL,
                client_id TEXT REFERENCES clients (id),
                subject TEXT,
                origin TEXT NOT NULL,
                summary TEXT NOT NULL,
                status TEXT NOT NULL,
                detected_at \(t.instant) NOT NULL,
                due_at \(t.instant) NOT NULL,
                decision TEXT,
                decision_note TEXT,
                decided_at \(t.instant),
                decided_by TEXT,
                reported_at \(t.instant),
                reported_by TEXT,
                report_reference TEXT,
                row_version INTEGER NOT NULL,
                updated_at \(t.instant) NOT NULL
            )
            """,
            "CREATE INDEX compliance_cases_status ON compliance_cases (lender_id, status, due_at)",
            "CREATE INDEX compliance_cases_client ON compliance_cases (client_id, origin, status)",
            """
            CREATE TABLE compliance_alerts (
                id TEXT PRIMARY KEY,
                lender_id TEXT NOT NULL REFERENCES lenders (id),
                case_id TEXT REFERENCES compliance_cases (id),
                client_id TEXT REFERENCES clients (id),
                rule TEXT NOT NULL,
                report TEXT NOT NULL,
                operation_date TEXT NOT NULL,
                rules_version INTEGER NOT NULL,
                operation_id TEXT NOT NULL,
                observed TEXT NOT NULL,
                limit_value TEXT NOT NULL,
                message TEXT NOT NULL,
                detected_at \(t.instant) NOT NULL,
                resolved_at \(t.instant),
                UNIQUE (rule, operation_id)
            )
            """,
            "CREATE INDEX compliance_alerts_case ON compliance_alerts (case_id)",
            "CREATE INDEX compliance_alerts_report ON compliance_alerts (lender_id, report, operation_date)",
            """
            CREATE TABLE compliance_case_events (
                id TEXT PRIMARY KEY,
                case_id TEXT NOT NULL REFERENCES compliance_cases (id),
                sequence INTEGER NOT NULL,
                at \(t.instant) NOT NULL,
                actor TEXT NOT NULL,
                from_status TEXT,
                to_status TEXT NOT NULL,
                note TEXT,
                UNIQUE (case_id, sequence)
            )
            """,
        ]
    }
}
