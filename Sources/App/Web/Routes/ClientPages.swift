import CarteraCore
import Compliance
import CarteraSecurity
import Clients
import Foundation
import Hummingbird
import Store

/// `/clientes`: exact search, the latest clients, registration of a persona física, and the client's file.
struct ClientPages {
    let web: WebRouter
    let database: Database
    let directory: ClientDirectory

    static let lookupLabels: [(ClientDirectory.Lookup, String)] = [(.rfc, "RFC"), (.curp, "CURP"), (.phone, "Teléfono"), (.email, "Correo")]

    func add() {
        let pages = web.pages
        let database = database
        let directory = directory

        web.get("/clientes", .permission(.readClients)) { request in
            let kind = request.query("por").flatMap(ClientDirectory.Lookup.init(rawValue:)) ?? .rfc
            let value = request.query("valor")
            let records = if let value { try await directory.find(kind, value) } else { try await directory.list(limit: 50) }
            return pages.render(
                "clients", title: "Clientes", web: request,
                values: [
                    "lookups": Self.lookupLabels.map { ["value": $0.0.rawValue, "label": $0.1, "selected": $0.0 == kind] as [String: Any] },
                    "valor": value ?? "", "searched": value != nil,
                    "canCreate": request.user?.role.allows(.manageClients) ?? false,
                    "clients": records.map { record -> [String: Any] in
                        [
                            "id": record.id, "displayName": record.displayName, "kind": Self.kindLabel(record.profile.kind),
                            "rfc": record.profile.rfc ?? "—", "phone": record.profile.phones.first ?? "—",
                            "createdAt": String(record.createdAt.text.prefix(16)).replacingOccurrences(of: "T", with: " "),
                        ]
                    },
                ],
                current: "/clientes"
            )
        }

        web.get("/clientes/nuevo", .permission(.manageClients)) { request in
            Self.form(pages, request, issues: [])
        }

        web.post("/clientes", .permission(.manageClients)) { request in
            guard let user = request.user else { return WebPages.redirect(to: "/login") }
            let profile: ClientProfile
            do {
                profile = try Self.profile(from: request)
            } catch let issue as FieldIssue {
                return Self.form(pages, request, issues: [issue])
            }
            do {
                let record = try await database.transaction { db in
                    try await directory.create(profile, lenderID: user.lenderID, actor: request.actor, on: db)
                }
                return WebPages.redirect(to: "/clientes/\(record.id)?aviso=alta")
            } catch let rejected as ClientValidation.Rejected {
                return Self.form(pages, request, issues: rejected.issues)
            } catch let duplicate as ClientDirectory.Duplicate {
                return Self.form(pages, request, issues: [FieldIssue(field: "", code: duplicate.code, message: duplicate.message)])
            }
        }

        web.get("/clientes/:id", .permission(.readClients)) { request in
            guard let id = request.context.parameters.get("id"), let record = try await directory.get(id: id) else {
                return pages.message(
                    title: "Cliente no encontrado", message: "No existe ese cliente. Búsquelo por RFC, CURP, teléfono o correo.",
                    web: request, status: .notFound, next: ("/clientes", "Ir a clientes")
                )
            }
            var values = Self.detail(record)
            let role = request.user?.role
            // The PLD risk grade and its reasons: compliance only (the client must not learn of it from whoever serves it).
            if let lenderID = request.user?.lenderID, role?.allows(.readCompliance) == true,
               let grade = try await RiskGrades(database: database, keys: directory.keys).history(clientID: id, lenderID: lenderID).first {
                values["risk"] = [
                    "grade": grade.grade.rawValue, "points": grade.points, "matrix": grade.matrixVersion, "reasons": grade.reasons,
                    "assessedAt": String(grade.assessedAt.text.prefix(16)).replacingOccurrences(of: "T", with: " "), "occasion": grade.occasion,
                ] as [String: Any]
            }
            // Credit reports: for those who originate or supervise.
            if let lenderID = request.user?.lenderID, role?.allows(.manageClients) == true || role?.allows(.readCompliance) == true {
                let reports = try await CreditBureauQueries(database: database, keys: directory.keys, settings: nil).reports(clientID: id, lenderID: lenderID)
                if !reports.isEmpty {
                    // Credit reports are read on purpose (a permissible use): every reading is audited.
                    let actor = request.actor
                    try await database.transaction { db in
                        try await AuditLog.append(
                            Administration.entry(actor: actor, action: "bureau.report_read", objectType: "client", objectID: id, at: .now,
                                                 change: reports.map(\.id).joined(separator: ",")),
                            on: db
                        )
                    }
                }
                values["bureau"] = reports.map { report -> [String: Any] in
                    [
                        "id": report.id, "at": String(report.queriedAt.text.prefix(16)).replacingOccurrences(of: "T", with: " "),
                        "score": report.score.map(String.init) ?? "—", "outcome": report.outcome == "reporte" ? "Reporte" : "Sin historial",
                        "variables": report.variables.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: " · "),
                    ]
                }
                values["showBureau"] = true
            }
            return pages.render(
                "client", title: record.displayName, web: request, values: values,
                notice: request.query("aviso") == "alta" ? "Cliente registrado." : nil, current: "/clientes"
            )
        }
    }

    static func kindLabel(_ kind: ClientProfile.Kind) -> String { kind == .individual ? "Persona física" : "Persona moral" }

    /// The registration form, with the values typed so far and the problems found.
    static func form(_ pages: WebPages, _ request: WebRequest, issues: [FieldIssue]) -> Response {
        let form = request.form
        let states = CURP.states.filter { $0.key != "NE" }.sorted { $0.value < $1.value }
        func options(_ items: [(String, String)], selected: String?) -> [[String: Any]] {
            items.map { ["value": $0.0, "label": $0.1, "selected": $0.0 == selected] }
        }
        var values: [String: Any] = [
            "form": form.merging(["nationality": form["nationality"] ?? "MX"]) { $1 },
            "issues": issues.map { ["message": $0.message] },
            "hasIssues": !issues.isEmpty,
            "sexes": options([("M", "Mujer (M)"), ("H", "Hombre (H)"), ("X", "No binario (X)")], selected: form["sex"]),
            "birthStates": options(states.map { ($0.key, $0.value) } + [("NE", "Nacido en el extranjero")], selected: form["birthState"]),
            "states": options(states.map { ($0.key, $0.value) }, selected: form["state"]),
        ]
        // A persona moral: its representatives (3 rows) and beneficial owners (4 rows), with what was typed.
        if request.query("tipo") == "moral" || form["kind"] == "company" {
            values["company"] = true
            values["representatives"] = (1...3).map { n in
                ["n": n, "name": form["rep\(n)Name"] ?? "", "curp": form["rep\(n)Curp"] ?? "", "rfc": form["rep\(n)Rfc"] ?? ""] as [String: Any]
            }
            values["owners"] = (1...4).map { n in
                ["n": n, "name": form["own\(n)Name"] ?? "", "percent": form["own\(n)Percent"] ?? "", "curp": form["own\(n)Curp"] ?? "", "rfc": form["own\(n)Rfc"] ?? ""] as [String: Any]
            }
            values["form"] = form.merging(["companyNationality": form["companyNationality"] ?? "MX"]) { $1 }
        }
        values["title"] = "Registrar cliente"
        return pages.render(
            "client_new", title: "Registrar cliente", web: request, values: values,
            status: issues.isEmpty ? .ok : .unprocessableContent, current: "/clientes"
        )
    }

    /// The client typed in the form, persona física or moral (validation proper is `ClientValidation`'s).
    static func profile(from request: WebRequest) throws(FieldIssue) -> ClientProfile {
        func optional(_ name: String) -> String? { request.field(name).isEmpty ? nil : request.field(name) }
        let address = ClientProfile.Address(
            street: request.field("street"), exteriorNumber: request.field("exteriorNumber"), interiorNumber: optional("interiorNumber"),
            neighborhood: request.field("neighborhood"), municipality: request.field("municipality"), city: request.field("city"),
            state: request.field("state"), postalCode: request.field("postalCode")
        )
        let phones = [request.field("phone")] + (optional("phone2").map { [$0] } ?? [])
        if request.field("kind") == "company" {
            guard let incorporated = CalendarDate(text: request.field("incorporationDate")) else {
                throw FieldIssue(field: "company.incorporationDate", code: "invalid", message: "Indique la fecha de constitución.")
            }
            let representatives = (1...3).compactMap { n -> ClientProfile.Person? in
                guard let name = optional("rep\(n)Name") else { return nil }
                return ClientProfile.Person(name: name, rfc: optional("rep\(n)Rfc"), curp: optional("rep\(n)Curp"))
            }
            let owners = (1...4).compactMap { n -> ClientProfile.Owner? in
                guard let name = optional("own\(n)Name") else { return nil }
                return ClientProfile.Owner(name: name, rfc: optional("own\(n)Rfc"), curp: optional("own\(n)Curp"), ownershipPercent: request.field("own\(n)Percent"))
            }
            return ClientProfile(
                kind: .company,
                company: .init(
                    legalName: request.field("legalName"), rfc: request.field("companyRfc"), incorporationDate: incorporated,
                    businessActivity: request.field("businessActivity"), nationality: optional("companyNationality") ?? "MX",
                    efirmaSerial: optional("companyEfirma"), representatives: representatives, beneficialOwners: owners
                ),
                address: address, phones: phones, email: optional("email")
            )
        }
        guard let birthDate = CalendarDate(text: request.field("birthDate")) else {
            throw FieldIssue(field: "individual.birthDate", code: "invalid", message: "Indique la fecha de nacimiento.")
        }
        return ClientProfile(
            kind: .individual,
            individual: .init(
                givenNames: request.field("givenNames"), paternalSurname: request.field("paternalSurname"),
                maternalSurname: optional("maternalSurname"), sex: request.field("sex"), birthDate: birthDate,
                birthState: request.field("birthState"), birthCountry: request.field("birthState") == "NE" ? (optional("nationality") ?? "MX") : "MX",
                nationality: optional("nationality") ?? "MX", occupation: request.field("occupation"), curp: request.field("curp"),
                rfc: optional("rfc"), efirmaSerial: optional("efirmaSerial")
            ),
            address: address, phones: phones, email: optional("email")
        )
    }

    /// The values of the client's file page.
    static func detail(_ record: ClientDirectory.Record) -> [String: Any] {
        let profile = record.profile
        let address = profile.address
        var values: [String: Any] = [
            "id": record.id, "kind": kindLabel(profile.kind),
            "address": [
                "\(address.street) \(address.exteriorNumber)" + (address.interiorNumber.map { " int. \($0)" } ?? ""),
                "col. \(address.neighborhood)", address.municipality, address.city,
                "\(CURP.states[address.state] ?? address.state), C.P. \(address.postalCode)", address.country,
            ].joined(separator: ", "),
            "phones": profile.phones.joined(separator: ", "), "email": profile.email ?? "—",
            "createdAt": record.createdAt.text.replacingOccurrences(of: "T", with: " "),
        ]
        if let person = profile.individual {
            values["individual"] = [
                "givenNames": person.givenNames, "paternalSurname": person.paternalSurname, "maternalSurname": person.maternalSurname ?? "",
                "sex": person.sex, "birthDate": person.birthDate.text,
                "age": person.birthDate.age(on: record.createdAt.calendarDate(utcOffsetSeconds: -21_600)),
                "birthStateName": CURP.states[person.birthState] ?? person.birthState, "nationality": person.nationality,
                "occupation": person.occupation, "curp": person.curp, "rfc": person.rfc ?? "—", "efirmaSerial": person.efirmaSerial ?? "—",
            ] as [String: Any]
        }
        if let company = profile.company {
            values["company"] = [
                "legalName": company.legalName, "rfc": company.rfc, "incorporationDate": company.incorporationDate.text,
                "businessActivity": company.businessActivity,
                "representatives": company.representatives.map { ["name": $0.name] },
                "beneficialOwners": company.beneficialOwners.map { ["name": $0.name, "ownershipPercent": $0.ownershipPercent] },
            ] as [String: Any]
        }
        return values
    }
}

