/// Independent re-statements of the published check-digit algorithms (`../shared/notes/mexico-rules.md` §3), written
/// straight from the pseudo-code, used as oracles for the property tests.
enum Oracle {
    static func clabeCheck(_ first17: [Int]) -> Int {
        let w = [3, 7, 1, 3, 7, 1, 3, 7, 1, 3, 7, 1, 3, 7, 1, 3, 7]
        var s = 0
        for i in 0..<17 { s += (first17[i] * w[i]) % 10 }
        return (10 - (s % 10)) % 10
    }

    static func rfcCheck(_ body: String) -> Character {
        let alpha = Array("0123456789ABCDEFGHIJKLMN&OPQRSTUVWXYZ Ñ")
        var base = Array(body)
        while base.count < 12 { base.insert(" ", at: 0) }
        var s = 0
        for i in 0..<12 { s += alpha.firstIndex(of: base[i])! * (13 - i) }
        let r = (11 - s % 11) % 11
        return r == 10 ? "A" : Character(String(r))
    }

    static func curpCheck(_ body: String) -> Int {
        let alpha = Array("0123456789ABCDEFGHIJKLMNÑOPQRSTUVWXYZ")
        let c = Array(body)
        var s = 0
        for i in 0..<17 { s += alpha.firstIndex(of: c[i])! * (18 - i) }
        return (10 - s % 10) % 10
    }
}
