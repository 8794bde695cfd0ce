import CarteraSecurity
import Testing

@Suite("Constant-time comparison")
struct ConstantTimeTests {
    @Test func comparesWholeValues() {
        #expect(ConstantTime.equals("whsec_abc", "whsec_abc"))
        #expect(ConstantTime.equals("", ""))
        #expect(!ConstantTime.equals("whsec_abc", "whsec_abd"))
        #expect(!ConstantTime.equals("whsec_abc", "xhsec_abc"))
        #expect(!ConstantTime.equals("whsec_abc", "whsec_ab"))
        #expect(!ConstantTime.equals("ñ", "n"))
    }
}
