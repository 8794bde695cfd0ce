import CarteraTestSupport
import Foundation
import Testing

extension TestEngine: CustomTestStringConvertible {
    public var testDescription: String { rawValue }
}

@Suite("Test setup")
struct TestSetupTests {
    /// CI sets `CARTERA_REQUIRE_POSTGRES=1`: then the PostgreSQL half of the store tests must not be skipped.
    @Test("PostgreSQL is configured when CI requires it")
    func postgresConfiguredWhenRequired() {
        if ProcessInfo.processInfo.environment["CARTERA_REQUIRE_POSTGRES"] == "1" {
            #expect(TestEngine.postgresURL != nil, "CARTERA_REQUIRE_POSTGRES=1 but CARTERA_TEST_DATABASE_URL is not set")
        }
    }
}
