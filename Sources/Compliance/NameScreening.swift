import Foundation

/// Screens names (and identifiers) against list entries.
///
/// Every listed name (primary and aliases) is cut into `NameText` tokens; each token is indexed under its
/// `PhoneticKey` neighbourhood, so a query finds the names that share a sound-alike token even one typo away. Each
/// candidate is then scored token by token, pairing query and listed tokens one to one, best pairs first:
/// the same token 1; a nickname of it 0.9 (`SpanishNicknames`); the same Spanish sound 0.92 (Gonzalez/Gonsales,
/// Javier/Xavier); one edit apart 0.88 (four letters or more); two edits apart 0.75 (seven or more); an initial and a
/// name it starts 0.6. Tokens weigh by how rare they are among the listed names (`ln(1 + N/df) / ln(1 + N)`, at least
/// 0.1): José, María, Hernández count less than Aguilar Amao. The score is the matched weight over all weight, where a
/// query token left unmatched counts 0.8 of its weight (the person said it) and a listed one 0.3 (a listed second
/// surname or given name the query leaves out is unknown, not a mismatch). Unless every token on both sides found its
/// pair, the score is further scaled by the evidence — the matched weight, up to `evidenceNeeded` — so a few common
/// names in common cannot reach the threshold alone. An identifier (RFC, CURP, passport) equal to a listed one scores
/// 1; an RFC whose letters and date equal a listed one (either without its homoclave) 0.95. A date of birth that
/// matches a listed one adds 0.05; one whose year differs from every listed year takes 0.1 away.
public struct NameScreening: Sendable {
    public struct Options: Sendable, Hashable, Codable {
        /// From this score a result is a match for review.
        public var threshold = 0.85
        /// Results under this score are not returned.
        public var cutoff = 0.70
        public var limit = 10
        public var evidenceNeeded = 1.2

        public init(threshold: Double = 0.85, cutoff: Double = 0.70, limit: Int = 10, evidenceNeeded: Double = 1.2) {
            self.threshold = threshold
            self.cutoff = cutoff
            self.limit = limit
            self.evidenceNeeded = evidenceNeeded
        }
    }

    public struct Match: Sendable, Hashable, Codable {
        public let entry: ListEntry
        public let score: Double
        /// The listed name (or alias) that scored, or the identifier.
        public let matchedName: String
        /// Whether the score reaches the threshold.
        public let isMatch: Bool
        /// What matched, for the reviewer: `nombre`, `RFC idéntico`, …
        public let reason: String
    }

    struct Token: Sendable {
        let text: String
        let bytes: [UInt8]
        let phonetic: String
        let weight: Double
    }

    /// A listed name: its entry, its text and its tokens (ids into `vocabulary`).
    struct Name: Sendable {
        let entry: Int32
        let text: String
        let tokens: [Int32]
        /// The tokens' weights, in order.
        let weights: [Double]
        /// How many different tokens it has.
        let distinct: Int
    }

    public let entries: [ListEntry]
    let names: [Name]
    /// Every distinct listed token, with its weight.
    let vocabulary: [Token]
    let tokenIDs: [String: Int32]
    /// Phonetic key (and its one-deletion variants) → tokens; token → names that have it.
    let tokensByKey: [String: [Int32]]
    let namesByToken: [[Int32]]
    let byIdentifier: [String: [Int32]]
    /// Listed RFCs by their base (the letters and the date, without the homoclave).
    let byRFCBase: [String: [Int32]]

    public init(entries: [ListEntry]) {
        self.entries = entries
        var raw: [(Int32, String, [String])] = []
        var frequency: [String: Int] = [:]
        var byIdentifier: [String: [Int32]] = [:]
        var byRFCBase: [String: [Int32]] = [:]
        for (index, entry) in entries.enumerated() {
            var seen: Set<[String]> = []
            for name in [entry.name] + entry.aliases {
                let tokens = NameText.tokens(name)
                guard !tokens.isEmpty, seen.insert(tokens).inserted else { continue }
                raw.append((Int32(index), name, tokens))
                for token in Set(tokens) { frequency[token, default: 0] += 1 }
            }
            for identifier in entry.identifiers where identifier.number.count >= 6 {
                byIdentifier[identifier.number, default: []].append(Int32(index))
                if identifier.type == "RFC", let base = Self.rfcBase(identifier.number) { byRFCBase[base, default: []].append(Int32(index)) }
            }
        }
        let count = max(raw.count, 1)
        var vocabulary: [Token] = []
        var tokenIDs: [String: Int32] = [:]
        var tokensByKey: [String: [Int32]] = [:]
        var namesByToken: [[Int32]] = []
        var names: [Name] = []
        names.reserveCapacity(raw.count)
        for (position, (entry, text, tokens)) in raw.enumerated() {
            var ids: [Int32] = []
            for token in tokens {
                let id: Int32
                if let known = tokenIDs[token] {
                    id = known
                } else {
                    id = Int32(vocabulary.count)
                    tokenIDs[token] = id
                    vocabulary.append(Self.token(token, frequency: frequency[token] ?? 0, names: count))
                    namesByToken.append([])
                    for key in Set(PhoneticKey.neighbourhood(token)) { tokensByKey[key, default: []].append(id) }
                }
                if namesByToken[Int(id)].last != Int32(position) { namesByToken[Int(id)].append(Int32(position)) }
                ids.append(id)
            }
            names.append(Name(entry: entry, text: text, tokens: ids, weights: ids.map { vocabulary[Int($0)].weight }, distinct: Set(ids).count))
        }
        self.names = names
        self.vocabulary = vocabulary
        self.tokenIDs = tokenIDs
        self.tokensByKey = tokensByKey
        self.namesByToken = namesByToken
        self.byIdentifier = byIdentifier
        self.byRFCBase = byRFCBase
    }

    static func token(_ text: String, frequency: Int, names: Int) -> Token {
        let weight = frequency == 0 ? 1 : max(0.1, log1p(Double(names) / Double(frequency)) / log1p(Double(names)))
        return Token(text: text, bytes: Array(text.utf8), phonetic: PhoneticKey.of(text), weight: weight)
    }

    /// The entries whose names (or identifiers) resemble the query, best first, down to the cutoff.
    ///
    /// Each query token is compared once with each listed token that shares a key with it (a sound-alike, one typo
    /// away, or a nickname's name or a name's nickname); the names with such a token are the candidates. A candidate is
    /// scored in full when the evidence of those pairs could reach the cutoff, or when it has as many tokens as the
    /// query and each pairs strongly with one of the query's. Initials and tokens two typos apart add to a scored
    /// candidate's score but count in neither test: a name that resembles the query only through them is not returned.
    public func screen(name: String, birthDate: String? = nil, identifiers: [String] = [], options: Options = Options()) -> [Match] {
        var best: [Int32: Match] = [:]
        func offer(_ entry: Int32, _ score: Double, _ matched: String, _ reason: String) {
            if let current = best[entry], current.score >= score { return }
            best[entry] = Match(entry: entries[Int(entry)], score: score, matchedName: matched, isMatch: score >= options.threshold, reason: reason)
        }
        for identifier in identifiers.map(ListEntry.Identifier.normalized) where identifier.count >= 6 {
            for entry in byIdentifier[identifier] ?? [] {
                let listed = entries[Int(entry)].identifiers.first { $0.number == identifier }
                offer(entry, 1, identifier, "\(listed?.type ?? "identificador") idéntico")
            }
            // An RFC with or without its homoclave against one listed with or without it: the same letters and date.
            if let base = Self.rfcBase(identifier) {
                for entry in byRFCBase[base] ?? [] {
                    let listed = entries[Int(entry)].identifiers.first { $0.type == "RFC" && Self.rfcBase($0.number) == base }
                    offer(entry, 0.95, listed?.number ?? base, "RFC sin homoclave coincide")
                }
            }
        }
        let query = NameText.tokens(name).map { text in tokenIDs[text].map { vocabulary[Int($0)] } ?? Self.token(text, frequency: 0, names: names.count) }
        if !query.isEmpty {
            // Per query token, the listed tokens it resembles and how much; per listed name, a bound on its evidence.
            var similar = [[Int32: Double]](repeating: [:], count: query.count)
            var bound = [Double](repeating: 0, count: names.count)
            // Per listed name, how many of its different tokens some query token matches strongly (0.88 or more).
            var strong = [Int32](repeating: 0, count: names.count)
            var strongTokens: Set<Int32> = []
            var touched: [Int32] = []
            for (index, token) in query.enumerated() {
                var keys = PhoneticKey.neighbourhood(token.text)
                // A nickname's names, and a name's nicknames, are looked up too.
                for related in (SpanishNicknames.names[token.text] ?? []) + (SpanishNicknames.byName[token.text] ?? []) {
                    keys += PhoneticKey.neighbourhood(related)
                }
                for key in keys {
                    for id in tokensByKey[key] ?? [] where similar[index][id] == nil {
                        let listed = vocabulary[Int(id)]
                        let s = Self.similarity(token, listed)
                        similar[index][id] = s
                        guard s > 0 else { continue }
                        let evidence = s * (token.weight + listed.weight) / 2
                        let firstStrong = s >= 0.88 && strongTokens.insert(id).inserted
                        for name in namesByToken[Int(id)] {
                            if bound[Int(name)] == 0 { touched.append(name) }
                            bound[Int(name)] += evidence
                            if firstStrong { strong[Int(name)] += 1 }
                        }
                    }
                }
            }
            let reachable = (options.cutoff - 0.05) * options.evidenceNeeded
            let queryWeights = query.map(\.weight)
            for candidate in touched {
                let listed = names[Int(candidate)]
                // Under the bound, only a name whose every token pairs off strongly (as many as the query's) can still score.
                guard bound[Int(candidate)] >= reachable || (listed.tokens.count == query.count && Int(strong[Int(candidate)]) == listed.distinct) else { continue }
                var score = Self.score(queryWeights, listed.weights, evidenceNeeded: options.evidenceNeeded) { q, l in
                    // Pairs no key led to (an initial, two typos) are compared here, once.
                    let id = listed.tokens[l]
                    if let known = similar[q][id] { return known }
                    let s = Self.residualSimilarity(query[q], vocabulary[Int(id)])
                    similar[q][id] = s
                    return s
                }
                if let birthDate, score >= options.cutoff - 0.05 {
                    score = Self.adjust(score, birthDate: birthDate, listed: entries[Int(listed.entry)].birthDates)
                }
                if score >= options.cutoff { offer(listed.entry, min(score, 1), listed.text, "nombre") }
            }
        }
        return best.values.sorted { ($0.score, $1.entry.id) > ($1.score, $0.entry.id) }.prefix(options.limit).map { $0 }
    }

    /// An RFC's letters and date (`AUAM530929`, `DIB771110`): a persona física's has 10 characters and 13 with the
    /// homoclave, a persona moral's 9 and 12; nil for anything else.
    static func rfcBase(_ number: String) -> String? {
        let characters = Array(number)
        let letters: Int
        switch characters.count {
        case 10, 13: letters = 4
        case 9, 12: letters = 3
        default: return nil
        }
        guard characters.prefix(letters).allSatisfy(\.isLetter), characters[letters..<(letters + 6)].allSatisfy(\.isNumber) else { return nil }
        return String(characters.prefix(letters + 6))
    }

    static func adjust(_ score: Double, birthDate: String, listed: [String]) -> Double {
        guard !listed.isEmpty, birthDate.count >= 4 else { return score }
        if listed.contains(birthDate) || listed.contains(String(birthDate.prefix(4))) && listed.allSatisfy({ $0.count == 4 }) { return score + 0.05 }
        if !listed.contains(where: { $0.prefix(4) == birthDate.prefix(4) }) { return score - 0.1 }
        return score
    }

    /// How alike two token lists are, given their weights and each pair's similarity (see the type's description).
    static func score(_ query: [Double], _ listed: [Double], evidenceNeeded: Double, similarity: (Int, Int) -> Double) -> Double {
        var pairs: [(similarity: Double, q: Int, l: Int)] = []
        pairs.reserveCapacity(query.count * listed.count)
        for i in query.indices {
            for j in listed.indices {
                let s = similarity(i, j)
                if s > 0 { pairs.append((s, i, j)) }
            }
        }
        pairs.sort { ($0.similarity, $1.q, $1.l) > ($1.similarity, $0.q, $0.l) }
        var usedQ = [Bool](repeating: false, count: query.count)
        var usedL = [Bool](repeating: false, count: listed.count)
        var matched = 0.0, total = 0.0, evidence = 0.0
        var allStrong = true
        for pair in pairs where !usedQ[pair.q] && !usedL[pair.l] {
            usedQ[pair.q] = true
            usedL[pair.l] = true
            let weight = query[pair.q] + listed[pair.l]
            matched += pair.similarity * weight
            total += weight
            evidence += pair.similarity * weight / 2
            if pair.similarity < 0.88 { allStrong = false }
        }
        for (i, weight) in query.enumerated() where !usedQ[i] {
            total += 0.8 * weight
            allStrong = false
        }
        for (j, weight) in listed.enumerated() where !usedL[j] {
            total += 0.3 * weight
            allStrong = false
        }
        guard total > 0 else { return 0 }
        let score = matched / total
        return allStrong ? score : score * min(1, evidence / evidenceNeeded)
    }

    static func similarity(_ a: Token, _ b: Token) -> Double {
        if a.text == b.text { return 1 }
        if a.bytes.count == 1 || b.bytes.count == 1 { return a.bytes.first == b.bytes.first ? 0.6 : 0 }
        if SpanishNicknames.related(a.text, b.text) { return 0.9 }
        if a.phonetic == b.phonetic { return 0.92 }
        let shorter = min(a.bytes.count, b.bytes.count)
        guard shorter >= 4, abs(a.bytes.count - b.bytes.count) <= 2 else { return 0 }
        let distance = editDistance(a.bytes, b.bytes, limit: 2)
        if distance == 1 { return 0.88 }
        if distance == 2 && shorter >= 7 { return 0.75 }
        return 0
    }

    /// `similarity` for a pair no key led to: only an initial or two typos can still make them alike.
    static func residualSimilarity(_ a: Token, _ b: Token) -> Double {
        if a.bytes.count == 1 || b.bytes.count == 1 { return a.bytes.first == b.bytes.first ? 0.6 : 0 }
        guard min(a.bytes.count, b.bytes.count) >= 7, abs(a.bytes.count - b.bytes.count) <= 2 else { return 0 }
        return editDistance(a.bytes, b.bytes, limit: 2) == 2 ? 0.75 : similarity(a, b)
    }

    /// Optimal string alignment distance (Damerau–Levenshtein with adjacent transpositions), stopping past `limit`.
    static func editDistance(_ a: [UInt8], _ b: [UInt8], limit: Int) -> Int {
        let (n, m) = (a.count, b.count)
        var previous2 = [Int](repeating: 0, count: m + 1)
        var previous = Array(0...m)
        var current = [Int](repeating: 0, count: m + 1)
        for i in 1...n {
            current[0] = i
            var rowMinimum = i
            for j in 1...m {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { value = min(value, previous2[j - 2] + 1) }
                current[j] = value
                rowMinimum = min(rowMinimum, value)
            }
            if rowMinimum > limit { return limit + 1 }
            (previous2, previous, current) = (previous, current, previous2)
        }
        return previous[m]
    }
}
