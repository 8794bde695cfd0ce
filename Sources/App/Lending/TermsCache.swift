import CarteraCore
import Foundation
import Lending
import NIOConcurrencyHelpers

/// Decoded loan terms by loan id, kept with the text they were decoded from (a disbursement returned by SPEI and made
/// again fixes new terms, so a cached decoding is used only while the stored text is the same).
///
/// Every loan's terms embed the product version it was disbursed under, so thousands of loans carry the same product
/// text; the product is decoded once per distinct text (`ProductCache`), and the rest of the terms is read directly
/// from the stored text (`LoanTerms.stored`) — Foundation's JSON decoder was most of the end-of-day close's time.
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

    /// Decodes stored terms: read directly (`LoanTerms.stored`) with their product from the product cache (decoded once
    /// per distinct product text); terms in any other shape go through `JSONDecoder`, which reports what is wrong.
    func decode(_ text: String) throws -> LoanTerms {
        if let terms = LoanTerms.stored(text, product: products.product(text:)) { return terms }
        return try JSONDecoder().decode(LoanTerms.self, from: Data(text.utf8))
    }
}

/// Products decoded from the exact text stored inside loan terms, keyed by that text: equal text, equal product.
final class ProductCache: Sendable {
    private let entries = NIOLockedValueBox<[Substring: Product]>([:])
    static let limit = 1_024

    /// The product written as `text` (the `product` member of stored terms), or nil when it cannot be read.
    func product(text: Substring) -> Product? {
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
