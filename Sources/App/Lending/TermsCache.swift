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

/// Products decoded from the exact text stored inside loan terms, keyed by that text: equal text, equal product. The
/// text is found by a cheap key (its length and a few of its bytes) and then compared byte for byte with `memcmp`
/// (hashing all of it — let alone as a Unicode-aware `Substring` — cost more than reading the rest of the terms).
final class ProductCache: Sendable {
    private struct Entries {
        var byKey: [Key: [(text: [UInt8], product: Product)]] = [:]
        var count = 0
    }

    /// The length and up to 24 bytes from the start, the middle and the end: product texts differ there (code, rates,
    /// version), and texts that share a key are told apart by the full comparison.
    private struct Key: Hashable {
        let count: Int
        let head: UInt64, middle: UInt64, tail: UInt64

        init(_ bytes: UnsafeBufferPointer<UInt8>) {
            func word(at offset: Int) -> UInt64 {
                var value: UInt64 = 0
                for index in offset..<min(offset + 8, bytes.count) where index >= 0 { value = value << 8 | UInt64(bytes[index]) }
                return value
            }
            count = bytes.count
            head = word(at: 0)
            middle = word(at: bytes.count / 2)
            tail = word(at: bytes.count - 8)
        }
    }

    private let entries = NIOLockedValueBox(Entries())
    static let limit = 1_024

    /// The product written as `text` (the `product` member of stored terms), or nil when it cannot be read.
    func product(text: Substring) -> Product? {
        let found: Product?? = text.utf8.withContiguousStorageIfAvailable { bytes in
            guard !bytes.isEmpty else { return nil }
            let key = Key(bytes)
            let cached = entries.withLockedValue { entries in
                entries.byKey[key]?.first { entry in
                    entry.text.withUnsafeBufferPointer { memcmp($0.baseAddress!, bytes.baseAddress!, bytes.count) == 0 }
                }?.product
            }
            if let cached { return cached }
            guard let product = try? JSONDecoder().decode(Product.self, from: Data(bytes)) else { return nil }
            entries.withLockedValue { entries in
                if entries.count >= Self.limit { entries = Entries() }
                entries.byKey[key, default: []].append((Array(bytes), product))
                entries.count += 1
            }
            return product
        }
        if let found { return found }
        // Not contiguous (never for text read from the database): decoded each time.
        return try? JSONDecoder().decode(Product.self, from: Data(text.utf8))
    }
}
