@testable import App
import CarteraCore
import CarteraSecurity
import CarteraTestSupport
import Clients
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SQLKit
import Store
import Testing

@Suite("API: clients")
struct ClientAPITests {
    struct Created: Decodable {
        let id: String
        let displayName: String
        let profile: ClientProfile
    }

    struct Found: Decodable {
        let clients: [Created]
    }

    /// A bearer token for a new API client with `scopes`.
    func token(_ client: any TestClientProtocol, _ database: Database, scopes: [String]) async throws -> HTTPFields {
        let created = try await APIClients(database: database).create(name: "Integración", scopes: scopes, lenderID: nil, actor: .commandLine)
        let response = try await client.execute(
            uri: "/oauth/token", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
            body: ByteBuffer(string: "grant_type=client_credentials&client_id=\(created.client_id)&client_secret=\(created.client_secret)")
        )
        let token = try JSONDecoder().decode(OAuthTests.Token.self, from: Data(String(buffer: response.body).utf8))
        return [.authorization: "Bearer \(token.access_token)", .contentType: "application/json"]
    }

    func body(_ profile: ClientProfile) throws -> ByteBuffer { ByteBuffer(bytes: try JSONEncoder().encode(profile)) }

    @Test("Create, replay with the same Idempotency-Key, refuse duplicates and invalid data, read and find", arguments: TestEngine.available)
    func lifecycle(engine: TestEngine) async throws {
        try await withBackOffice(on: engine) { database, client, _ in
            var writer = try await token(client, database, scopes: ["clients:read", "clients:write"])
            let reader = try await token(client, database, scopes: ["clients:read"])

            #expect(try await client.execute(uri: "/api/v1/clients", method: .post, headers: reader, body: body(ClientSamples.individual)).status == .forbidden)

            writer[HTTPField.Name("Idempotency-Key")!] = "alta-gloria-1"
            let first = try await client.execute(uri: "/api/v1/clients", method: .post, headers: writer, body: body(ClientSamples.individual))
            #expect(first.status == .created)
            let created = try JSONDecoder().decode(Created.self, from: Data(String(buffer: first.body).utf8))
            #expect(created.id.hasPrefix("cl_"))
            #expect(created.displayName == "Gloria Hernández García")
            #expect(created.profile.individual?.curp == "HEGG560427MVZRRL04")
            #expect(created.profile.phones == ["2281234567"])

            // The same key and body: the same answer, and no second client.
            let replay = try await client.execute(uri: "/api/v1/clients", method: .post, headers: writer, body: body(ClientSamples.individual))
            #expect(replay.status == .created)
            #expect(String(buffer: replay.body) == String(buffer: first.body))
            // The same key with another body.
            let mismatch = try await client.execute(uri: "/api/v1/clients", method: .post, headers: writer, body: body(ClientSamples.company))
            #expect(mismatch.status == .unprocessableContent)
            #expect(String(buffer: mismatch.body).contains("idempotency_key_reused"))

            // A new key, same person: a duplicate by CURP and RFC.
            writer[HTTPField.Name("Idempotency-Key")!] = "alta-gloria-2"
            let duplicate = try await client.execute(uri: "/api/v1/clients", method: .post, headers: writer, body: body(ClientSamples.individual))
            #expect(duplicate.status == .conflict)
            #expect(String(buffer: duplicate.body).contains(created.id))

            // Invalid data: every problem, with its field.
            var invalid = ClientSamples.individual
            invalid.individual?.curp = "HEGG560427MVZRRL05"
            invalid.address.postalCode = "123"
            writer[HTTPField.Name("Idempotency-Key")!] = nil
            let rejected = try await client.execute(uri: "/api/v1/clients", method: .post, headers: writer, body: body(invalid))
            #expect(rejected.status == .unprocessableContent)
            let text = String(buffer: rejected.body)
            #expect(text.contains(#""field":"individual.curp""#) && text.contains(#""field":"address.postalCode""#))
            // Unreadable JSON names the field.
            let unreadable = try await client.execute(
                uri: "/api/v1/clients", method: .post, headers: writer, body: ByteBuffer(string: #"{"kind":"individual","address":{"street":"x"}}"#)
            )
            #expect(unreadable.status == .badRequest)
            #expect(String(buffer: unreadable.body).contains("address"))

            let company = try await client.execute(uri: "/api/v1/clients", method: .post, headers: writer, body: body(ClientSamples.company))
            #expect(company.status == .created)

            let read = try await client.execute(uri: "/api/v1/clients/\(created.id)", method: .get, headers: reader)
            #expect(read.status == .ok)
            #expect(try JSONDecoder().decode(Created.self, from: Data(String(buffer: read.body).utf8)).profile == created.profile)
            #expect(try await client.execute(uri: "/api/v1/clients/cl_nope", method: .get, headers: reader).status == .notFound)
            for query in ["curp=hegg560427mvzrrl04", "rfc=\(ClientSamples.rfc.lowercased())", "phone=228-123-4567", "email=GLORIA.HERNANDEZ@example.mx"] {
                let found = try await client.execute(uri: "/api/v1/clients?\(query)", method: .get, headers: reader)
                let clients = try JSONDecoder().decode(Found.self, from: Data(String(buffer: found.body).utf8)).clients
                #expect(clients.map(\.id) == [created.id], "\(query)")
            }
            #expect(try await client.execute(uri: "/api/v1/clients?rfc=SAT970701NN3", method: .get, headers: reader).status == .ok)
            #expect(try await client.execute(uri: "/api/v1/clients", method: .get, headers: reader).status == .badRequest)

            let count = try await database.withConnection { db in
                try await db.raw("SELECT COUNT(*) AS n FROM clients WHERE created_by <> 'cli'").first(decodingColumn: "n", as: Int.self)
            }
            #expect(count == 2)
            let audited = try await database.withConnection { db in
                try await db.raw("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'client.create' AND actor_kind = 'api_client'").first(decodingColumn: "n", as: Int.self)
            }
            #expect(audited == 2)
        }
    }
}

@Suite("API: quotes")
struct QuoteAPITests {
    @Test("POST /api/v1/quotes returns T3's schedule and CAT; bad input names its fields")
    func quote() async throws {
        try await withBackOffice { database, client, _ in
            let headers = try await ClientAPITests().token(client, database, scopes: ["loans:read"])
            let body = #"{"principal":"10000","annualRate":"60","term":12,"frequency":"mensual","method":"french","iva":"16","openingFee":"200","start":"2026-01-15"}"#
            let response = try await client.execute(uri: "/api/v1/quotes", method: .post, headers: headers, body: ByteBuffer(string: body))
            #expect(response.status == .ok)
            let text = String(buffer: response.body)
            #expect(text.contains(#""payment":"1179.73""#))
            #expect(text.contains(#""cat":"87.0""#))
            #expect(text.contains(#""dueDate":"2026-02-15""#))
            let bad = try await client.execute(
                uri: "/api/v1/quotes", method: .post, headers: headers,
                body: ByteBuffer(string: #"{"principal":"diez","annualRate":"x","term":12,"frequency":"mensual"}"#)
            )
            #expect(bad.status == .unprocessableContent)
            #expect(String(buffer: bad.body).contains(#""field":"principal""#) && String(buffer: bad.body).contains(#""field":"annualRate""#))
            let noTerm = try await client.execute(
                uri: "/api/v1/quotes", method: .post, headers: headers, body: ByteBuffer(string: #"{"principal":"1000","annualRate":"60","term":0,"frequency":"mensual"}"#)
            )
            #expect(noTerm.status == .unprocessableContent)
            #expect(String(buffer: noTerm.body).contains("term_invalid"))
            let unknownFrequency = try await client.execute(
                uri: "/api/v1/quotes", method: .post, headers: headers, body: ByteBuffer(string: #"{"principal":"1000","annualRate":"60","term":3,"frequency":"diaria"}"#)
            )
            #expect(unknownFrequency.status == .badRequest)
        }
    }
}

@Suite("API: products")
struct ProductAPITests {
    static let personal = #"{"code":"personal","name":"Crédito personal","annualRate":"60","frequency":"mensual","minimumAmount":"5000","maximumAmount":"50000","minimumTerm":6,"maximumTerm":36,"openingFee":{"percent":"2"},"moratorium":{"multipleOfOrdinary":"1.5"}}"#

    @Test("Save a product, a second save is version 2, quotes follow the product's terms and limits", arguments: TestEngine.available)
    func products(engine: TestEngine) async throws {
        try await withBackOffice(on: engine) { database, client, _ in
            let writer = try await ClientAPITests().token(client, database, scopes: ["products:read", "products:write", "loans:read"])
            let first = try await client.execute(uri: "/api/v1/products", method: .post, headers: writer, body: ByteBuffer(string: Self.personal))
            #expect(first.status == .created)
            let text = String(buffer: first.body)
            #expect(text.contains(#""code":"PERSONAL""#) && text.contains(#""version":1"#))
            #expect(text.contains(#""multipleOfOrdinary":"1.5""#) && text.contains(#""dayCount":"actual/360""#))
            let changed = Self.personal.replacingOccurrences(of: #""annualRate":"60""#, with: #""annualRate":"55""#)
            let second = try await client.execute(uri: "/api/v1/products", method: .post, headers: writer, body: ByteBuffer(string: changed))
            #expect(String(buffer: second.body).contains(#""version":2"#))

            let list = String(buffer: try await client.execute(uri: "/api/v1/products", method: .get, headers: writer).body)
            #expect(list.contains(#""annualRate":"55""#) && !list.contains(#""annualRate":"60""#))
            let v1 = String(buffer: try await client.execute(uri: "/api/v1/products/personal?version=1", method: .get, headers: writer).body)
            #expect(v1.contains(#""annualRate":"60""#))
            #expect(try await client.execute(uri: "/api/v1/products/nope", method: .get, headers: writer).status == .notFound)

            // T3 through version 1 of the product: 2 % of 10,000 = 200 deducted.
            let quote = try await client.execute(
                uri: "/api/v1/quotes", method: .post, headers: writer,
                body: ByteBuffer(string: #"{"product":"PERSONAL","productVersion":1,"principal":"10000","term":12,"start":"2026-01-15"}"#)
            )
            #expect(quote.status == .ok)
            #expect(String(buffer: quote.body).contains(#""cat":"87.0""#))
            let tooBig = try await client.execute(
                uri: "/api/v1/quotes", method: .post, headers: writer, body: ByteBuffer(string: #"{"product":"PERSONAL","principal":"90000","term":12}"#)
            )
            #expect(tooBig.status == .unprocessableContent)
            #expect(String(buffer: tooBig.body).contains("amount_out_of_range"))

            let invalid = try await client.execute(
                uri: "/api/v1/products", method: .post, headers: writer,
                body: ByteBuffer(string: Self.personal.replacingOccurrences(of: #""minimumTerm":6"#, with: #""minimumTerm":60"#))
            )
            #expect(invalid.status == .unprocessableContent)
            #expect(String(buffer: invalid.body).contains(#""field":"maximumTerm""#))
            let audited = try await database.withConnection { db in
                try await db.raw("SELECT action FROM audit_log WHERE object_type = 'product' ORDER BY sequence").all(decodingColumn: "action", as: String.self)
            }
            #expect(audited == ["product.create", "product.version"])
        }
    }
}
