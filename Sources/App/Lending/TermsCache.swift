import CarteraCore
import Foundation
import Lending
import NIOConcurrencyHelpers

/// Decoded loan terms by loan id, kept with the text they were decoded from (a disbursement returned by SPEI and made
/// again fixes new terms, so a cached decoding is used only while the stored text is the same).
///
/// Every loan's terms embed the product version it was disbursed under, so thousands of loans carry the same product
/// text; the product is decoded once per distinct text (`ProductCache`) and handed to the terms' decoder — decoding it
/// again for every loan was most of what remained of reading a loan in the end-of-day close.
final class TermsCache: Sendable {
    private let entries = NIOLockedValueBox<[String: (text: String, terms: LoanTerms)]>([:])
    private let products = ProductCache()
    static let limit = 20_000

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()

    /// The terms stored as `text` for loan `id`, from the cache when the text is the one cached.
    func terms(for id: String, text: String) throws -> LoanTerms {
        if let cached = entries.withLockedValue({ $0[id] }), cached.text == text { return cached.terms }
        let terms = try decode(text)
        entries.withLockedValue { entries in
            if entries.count >= Self.limit { entries.removeAll(keepingCapacity: true) }
            entries[id] = (text, terms)
        }
        return terms
    }

    /// Decodes stored terms, with their product from the product cache (read once per distinct product text).
    func decode(_ text: String) throws -> LoanTerms {
        let decoder = JSONDecoder()
        if let product = products.product(in: text) { decoder.userInfo[LoanTerms.decodedProduct] = product }
        return try decoder.decode(LoanTerms.self, from: Data(text.utf8))
    }
}

/// Products decoded from the exact text stored inside loan terms, keyed by that text: equal text, equal product.
final class ProductCache: Sendable {
    private let entries = NIOLockedValueBox<[Substring: Product]>([:])
    static let limit = 1_024

    /// The product written in `terms` (stored terms JSON), or nil when it cannot be found or read — the caller then
    /// decodes the terms whole, which reports any error.
    func product(in terms: String) -> Product? {
        guard let text = JSONMember.text(of: "product", in: terms) else { return nil }
        if let cached = entries.withLockedValue({ $0[text] }) { return cached }
        guard let product = try? JSONDecoder().decode(Product.self, from: Data(text.utf8)) else { return nil }
        // Kept as its own string, not a slice holding on to the whole terms text.
        let key = Substring(String(text))
        entries.withLockedValue { entries in
            if entries.count >= Self.limit { entries.removeAll(keepingCapacity: true) }
            entries[key] = product
        }
        return product
    }
}
