/// Comparisons of secrets (client secrets, CSRF tokens, webhook signatures and credentials) that take the same time
/// wherever the two values differ, so that timing does not reveal how much of a guess was right.
public enum ConstantTime {
    /// Whether `a` and `b` are the same text. Only the length may show in the timing.
    public static func equals(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for index in x.indices { difference |= x[index] ^ y[index] }
        return difference == 0
    }
}
