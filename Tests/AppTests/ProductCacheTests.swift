@testable import App
import CarteraCore
import Foundation
import Lending
import Testing

/// Products are cached by their exact stored text: texts that agree wherever the cache's key looks (length, start,
/// middle, end) must still give their own product.
struct ProductCacheTests {
    static let text =
        #"{"allocationOrder":["fees","moratorium_interest","overdue_interest","overdue_principal","current_interest","current_principal","advance"],"annualRate":{"millionths":600000},"code":"PERSONAL","currency":"MXN","dayCount":"actual\/360","feeIvaRate":{"millionths":160000},"frequency":"mensual","ivaRate":{"millionths":160000},"lateFeeExcludesMoratorium":true,"maximumAmount":{"currency":"MXN","minorUnits":10000000},"maximumTerm":36,"method":"french","minimumAmount":{"currency":"MXN","minorUnits":500000},"minimumTerm":6,"moratorium":{"multipleOfOrdinary":{"_0":1500000}},"name":"Crédito personal","openingFee":{"percent":{"_0":{"millionths":20000}}},"openingFeeTreatment":"deducted","rounding":"halfUp","version":1}"#

    @Test("Texts differing only where the key does not look give their own products; a text that is not a product gives nil")
    func sameKeyDifferentText() throws {
        let other = Self.text.replacingOccurrences(of: #""annualRate":{"millionths":600000}"#, with: #""annualRate":{"millionths":610000}"#)
        let broken = Self.text.replacingOccurrences(of: #""annualRate":{"millionths":600000}"#, with: #""annualRate":{"millionths":"6000"}"#)
        #expect(other.utf8.count == Self.text.utf8.count && broken.utf8.count == Self.text.utf8.count)
        let cache = ProductCache()
        for _ in 0..<2 {
            #expect(cache.product(text: Substring(Self.text))?.annualRate.millionths == 600_000)
            #expect(cache.product(text: Substring(other))?.annualRate.millionths == 610_000)
            #expect(cache.product(text: Substring(broken)) == nil)
            #expect(cache.product(text: "") == nil)
        }
        // Inside a longer text (as read from stored terms).
        let terms = #"{"product":"# + other + "}"
        let start = terms.index(terms.startIndex, offsetBy: 11)
        #expect(cache.product(text: terms[start..<terms.index(before: terms.endIndex)])?.annualRate.millionths == 610_000)
    }
}
