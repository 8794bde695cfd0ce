extension Migration {
    /// Clients' identification files (expedientes).
    ///
    /// - `kyc_documents`: every document uploaded to a client's file, its content and file name encrypted, with its
    ///   kind, whose it is (`cliente`, `representante-N`, `beneficiario-N`), dates, and who received and who compared it
    ///   with the original (cotejo) or rejected it; a newer one of the same kind and person supersedes it (kept).
    /// - `kyc_updates`: each periodic update of a file staff recorded.
    /// - `kyc_policies`: what a complete file needs, versioned per lender. Lenders registered before files existed get a
    ///   first version that does not hold disbursements (their files are on paper until they publish their own).
    static let m0034KYCFiles = Migration(version: 34, name: "create_kyc_files") { t in
        [
            """
            CREATE TABLE kyc_documents (
                id TEXT PRIMARY KEY,
                lender_id TEXT NOT NULL REFERENCES lenders (id),
                client_id TEXT NOT NULL REFERENCES clients (id),
                kind TEXT NOT NULL,
                subject TEXT NOT NULL,
                status TEXT NOT NULL,
                file_name TEXT NOT NULL,
                format TEXT NOT NULL,
                size_bytes \(t.bigint) NOT NULL,
                sha256 TEXT NOT NULL,
                content TEXT NOT NULL,
                issued_on TEXT,
                expires_on TEXT,
                received_on TEXT NOT NULL,
                uploaded_at \(t.instant) NOT NULL,
                uploaded_by TEXT NOT NULL,
                reviewed_at \(t.instant),
                reviewed_by TEXT,
                rejection_reason TEXT,
                superseded_by TEXT
            )
            """,
            "CREATE INDEX kyc_documents_client ON kyc_documents (client_id, kind, subject)",
            """
            CREATE TABLE kyc_updates (
                id TEXT PRIMARY KEY,
                lender_id TEXT NOT NULL REFERENCES lenders (id),
                client_id TEXT NOT NULL REFERENCES clients (id),
                updated_on TEXT NOT NULL,
                note TEXT NOT NULL,
                recorded_at \(t.instant) NOT NULL,
                recorded_by TEXT NOT NULL
            )
            """,
            "CREATE INDEX kyc_updates_client ON kyc_updates (client_id, updated_on)",
            """
            CREATE TABLE kyc_policies (
                lender_id TEXT NOT NULL REFERENCES lenders (id),
                version INTEGER NOT NULL,
                policy TEXT NOT NULL,
                created_at \(t.instant) NOT NULL,
                created_by TEXT NOT NULL,
                PRIMARY KEY (lender_id, version)
            )
            """,
            // What decides the file's checklist, without personal data (see `KYCFileShape`); filled when a client is
            // registered, and for earlier clients the first time their file is read.
            "ALTER TABLE clients ADD COLUMN kyc_shape TEXT",
            """
            INSERT INTO kyc_policies (lender_id, version, policy, created_at, created_by)
            SELECT id, 1, '\(paperFilesPolicy)', '2026-11-28T00:00:00.000Z', 'migración 34' FROM lenders
            """,
        ]
    }

    /// The standard policy (`KYCPolicy.standard`) with `blocksDisbursement` off, as JSON.
    static let paperFilesPolicy = """
        {"individual":["identificacion_oficial","constancia_curp","cedula_rfc","comprobante_domicilio","declaracion_propietario_real"],\
        "company":["escritura_constitutiva","cedula_rfc","comprobante_domicilio","poder_representante","identificacion_representante",\
        "declaracion_beneficiario_controlador","identificacion_beneficiario"],"addressProofMaxDays":90,"beneficialOwnerBasisPoints":2500,\
        "updateMonths":{"bajo":36,"medio":24,"alto":12},"reminderDays":30,"blocksDisbursement":false}
        """
}
