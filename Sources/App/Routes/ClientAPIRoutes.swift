import CarteraCore
import CarteraSecurity
import Clients
import Foundation
import HTTPTypes
import Hummingbird
import Store

/// `/api/v1/clients`: create a client (idempotent with `Idempotency-Key`), read one, find by exact identifier.
struct ClientAPIRoutes {
    let database: Database
    let directory: ClientDirectory
    let access: APIAccess
    let clock: @Sendable () -> Timestamp

    struct Found: ResponseEncodable {
        let clients: [ClientDirectory.Record]
    }

    func add(to api: RouterGroup<AppRequestContext>) {
        let database = database
        let directory = directory
        let access = access
        let clock = clock

        api.post("/clients") { request, context -> Response in
            let client = try await access.require("clients:write", context)
            let body = try await request.body.collect(upTo: 256 * 1024)
            let bytes = Data(body.readableBytesView)
            let profile = try JSONBody.decode(ClientProfile.self, from: bytes)
            let key = request.headers[HTTPField.Name("Idempotency-Key")!]
            let scope = "clients.create:\(client.clientID)"
            // The request's fingerprint is its canonical form, so a retry that only orders keys differently still matches.
            let requestHash = AuditChain.digest(Array(try ClientDirectory.encoder.encode(profile)))
            return try await IdempotentCreation.respond(database, scope: scope, key: key, requestHash: requestHash, now: clock) { db in
                try ClientDirectory.encoder.encode(try await directory.create(profile, lenderID: client.lenderID, actor: APIAccess.actor(client, context), on: db))
            }
        }

        api.get("/clients/:id") { _, context -> ClientDirectory.Record in
            _ = try await access.require("clients:read", context)
            guard let id = context.parameters.get("id"), let record = try await directory.get(id: id) else {
                throw APIError(status: .notFound, code: "client_not_found", message: "No existe ese cliente. Revise el identificador.")
            }
            return record
        }

        api.get("/clients") { request, context -> Found in
            _ = try await access.require("clients:read", context)
            let given = ClientDirectory.Lookup.allCases.compactMap { kind in request.uri.queryParameters[kind.rawValue[...]].map { (kind, String($0)) } }
            guard given.count == 1, let (kind, value) = given.first else {
                throw APIError(
                    status: .badRequest, code: "lookup_required",
                    message: "Indique exactamente uno de estos parámetros: rfc, curp, phone o email. Las búsquedas son exactas."
                )
            }
            return Found(clients: try await directory.find(kind, value))
        }
    }
}

extension ClientDirectory.Record: ResponseEncodable {}

/// Reading JSON request bodies with errors people can act on.
enum JSONBody {
    static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch let error as DecodingError {
            let (path, problem): ([any CodingKey], String) = switch error {
            case .keyNotFound(let key, let context): (context.codingPath + [key], "falta el campo")
            case .typeMismatch(_, let context): (context.codingPath, "el tipo no es el esperado")
            case .valueNotFound(_, let context): (context.codingPath, "falta el valor")
            case .dataCorrupted(let context): (context.codingPath, context.codingPath.isEmpty ? "el cuerpo no es JSON válido" : "el valor no es válido (las fechas van como AAAA-MM-DD)")
            @unknown default: ([], "el cuerpo no se pudo leer")
            }
            let field = path.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().drop { $0 == "." }
            throw APIError(
                status: .badRequest, code: "invalid_json",
                message: field.isEmpty ? "No se pudo leer la solicitud: \(problem)." : "No se pudo leer la solicitud: en «\(field)» \(problem).",
                details: field.isEmpty ? [] : [.init(field: String(field), code: "invalid_json", message: problem)]
            )
        }
    }
}
