import CarteraCore
import Foundation
import HTTPTypes
import Hummingbird
import Lending

/// `/api/v1/products`: save a product (a new version when the code exists), list the latest versions, read one.
struct ProductAPIRoutes {
    let catalog: ProductCatalog
    let access: APIAccess

    struct Listing: ResponseEncodable {
        let products: [ProductDocument]
    }

    func add(to api: RouterGroup<AppRequestContext>) {
        let catalog = catalog
        let access = access

        api.post("/products") { request, context -> Response in
            let client = try await access.require("products:write", context)
            let body = try await request.body.collect(upTo: 64 * 1024)
            let document = try JSONBody.decode(ProductDocument.self, from: Data(body.readableBytesView))
            let saved = try await catalog.save(try document.product(), lenderID: client.lenderID, actor: APIAccess.actor(client, context))
            let data = try ProductCatalog.encoder.encode(ProductDocument(saved))
            var headers = HTTPFields()
            headers[.contentType] = "application/json; charset=utf-8"
            return Response(status: .created, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }

        api.get("/products") { _, context -> Listing in
            let client = try await access.require("products:read", context)
            return Listing(products: try await catalog.latest(lenderID: client.lenderID).map(ProductDocument.init))
        }

        api.get("/products/:code") { request, context -> ProductDocument in
            let client = try await access.require("products:read", context)
            let version = request.uri.queryParameters["version"].flatMap { Int(String($0)) }
            guard let code = context.parameters.get("code"),
                let product = try await catalog.product(code: code, version: version, lenderID: client.lenderID)
            else {
                throw APIError(status: .notFound, code: "product_not_found", message: "No existe ese producto (o esa versión).")
            }
            return ProductDocument(product)
        }
    }
}

extension ProductDocument: ResponseEncodable {}
