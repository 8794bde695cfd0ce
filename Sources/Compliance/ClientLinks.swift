import Foundation

/// Clients linked by what they share — phone, e-mail, address, CLABE or bank account, CURP/RFC, legal representative,
/// beneficial owner, employer — grouped into connected components with union-find (path compression, union by size).
///
/// Values are normalised before comparing (`ClientLinks.normalized`). A value shared by more than `hubLimit` clients
/// (a branch's phone, an employer's address, a notary's e-mail) links nobody: it is reported as a hub instead, so one
/// busy value cannot merge half the portfolio.
public struct ClientLinks: Sendable {
    public enum Kind: String, Sendable, Codable, CaseIterable, Comparable {
        case curp, rfc, clabe, bankAccount = "cuenta", phone = "telefono", email = "correo", address = "domicilio"
        case representative = "representante", beneficialOwner = "beneficiario", employer = "empleador"

        public static func < (lhs: Kind, rhs: Kind) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    /// One client's identifying value.
    public struct Fact: Sendable, Hashable, Codable {
        public let client: String
        public let kind: Kind
        public let value: String

        public init(client: String, kind: Kind, value: String) {
            self.client = client
            self.kind = kind
            self.value = value
        }
    }

    /// Two clients sharing a value.
    public struct Link: Sendable, Hashable, Codable {
        public let from: String
        public let to: String
        public let kind: Kind
        public let value: String
    }

    public struct Component: Sendable, Hashable, Codable {
        /// Sorted.
        public let clients: [String]
        /// What links them (each shared value once, as a link from the first client that has it).
        public let links: [Link]
    }

    public let components: [Component]
    /// Values left out for being shared by more than `hubLimit` clients, with how many share them.
    public let hubs: [String: Int]

    /// Groups `facts`; clients without a shared value are components of one.
    public init(facts: [Fact], hubLimit: Int = 10) {
        var clients: [String] = []
        var index: [String: Int] = [:]
        for fact in facts where index[fact.client] == nil {
            index[fact.client] = clients.count
            clients.append(fact.client)
        }
        var holders: [String: (kind: Kind, value: String, clients: [Int])] = [:]
        for fact in facts {
            guard let value = Self.normalized(fact.value, kind: fact.kind), let client = index[fact.client] else { continue }
            let key = "\(fact.kind.rawValue):\(value)"
            var entry = holders[key] ?? (fact.kind, value, [])
            if entry.clients.last != client && !entry.clients.contains(client) { entry.clients.append(client) }
            holders[key] = entry
        }
        var parent = Array(clients.indices)
        var size = [Int](repeating: 1, count: clients.count)
        func find(_ x: Int) -> Int {
            var root = x
            while parent[root] != root { root = parent[root] }
            var node = x
            while parent[node] != root {
                let next = parent[node]
                parent[node] = root
                node = next
            }
            return root
        }
        var hubs: [String: Int] = [:]
        var links: [Link] = []
        for key in holders.keys.sorted() {
            let holder = holders[key]!
            guard holder.clients.count > 1 else { continue }
            guard holder.clients.count <= hubLimit else {
                hubs[key] = holder.clients.count
                continue
            }
            let first = holder.clients[0]
            for other in holder.clients.dropFirst() {
                links.append(Link(from: clients[first], to: clients[other], kind: holder.kind, value: holder.value))
                let (a, b) = (find(first), find(other))
                if a == b { continue }
                if size[a] < size[b] {
                    parent[a] = b
                    size[b] += size[a]
                } else {
                    parent[b] = a
                    size[a] += size[b]
                }
            }
        }
        var members: [Int: [String]] = [:]
        for client in clients.indices { members[find(client), default: []].append(clients[client]) }
        var linksByRoot: [Int: [Link]] = [:]
        for link in links { linksByRoot[find(index[link.from]!), default: []].append(link) }
        components = members.map { root, names in Component(clients: names.sorted(), links: linksByRoot[root] ?? []) }
            .sorted { ($0.clients.count, $1.clients[0]) > ($1.clients.count, $0.clients[0]) }
        self.hubs = hubs
    }

    /// The component of `client`; nil for a client not in the facts.
    public func component(of client: String) -> Component? { components.first { $0.clients.contains(client) } }

    /// A value as it is compared; nil when nothing is left. Phones: the last ten digits (a Mexican number with or
    /// without +52 or 044/045); e-mail: trimmed and lower case; CURP, RFC, CLABE and accounts: letters and digits, upper
    /// case; addresses and names: `NameText` tokens (accents, case and punctuation folded), joined by spaces.
    public static func normalized(_ value: String, kind: Kind) -> String? {
        let result: String
        switch kind {
        case .phone:
            let digits = value.filter(\.isASCII).filter(\.isNumber)
            guard digits.count >= 10 else { return nil }
            result = String(digits.suffix(10))
        case .email:
            result = value.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
            guard result.contains("@") else { return nil }
        case .curp, .rfc, .clabe, .bankAccount:
            result = ListEntry.Identifier.normalized(value)
        case .address, .representative, .beneficialOwner, .employer:
            result = NameText.tokens(value).joined(separator: " ")
        }
        return result.isEmpty ? nil : result
    }
}
