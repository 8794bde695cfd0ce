import CarteraCore
import Testing

@Suite("Byte encodings")
struct ByteEncodingTests {
    @Test("hex and base64url match RFC 4648 test vectors")
    func vectors() {
        #expect(ByteEncoding.hex([0x00, 0x0f, 0xa0, 0xff]) == "000fa0ff")
        #expect(ByteEncoding.base64URL(Array("foob".utf8)) == "Zm9vYg")  // RFC 4648 §10, padding removed
        #expect(ByteEncoding.base64URL([0xfb, 0xff]) == "-_8")  // "+/8=" in standard base64
        #expect(ByteEncoding.decodeBase64URL("-_8") == [0xfb, 0xff])
        #expect(ByteEncoding.decodeBase64URL("Zm9vYg==") == Array("foob".utf8))
        #expect(ByteEncoding.decodeBase64URL("not base64!") == nil)
        #expect(ByteEncoding.randomBytes(32).count == 32)
        #expect(ByteEncoding.randomBytes(16) != ByteEncoding.randomBytes(16))
    }
}
