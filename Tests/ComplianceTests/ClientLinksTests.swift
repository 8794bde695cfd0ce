import CarteraTestSupport
import Clients
import Compliance
import Testing

@Suite("Client relationships: shared values, union-find components, hubs")
struct ClientLinksTests {
    typealias Fact = ClientLinks.Fact

    @Test("Clients sharing a phone (written differently), an e-mail or a CLABE form one component; a chain joins through a middle client; others stay alone")
    func components() {
        let links = ClientLinks(facts: [
            Fact(client: "a", kind: .phone, value: "+52 55 1234 5678"),
            Fact(client: "b", kind: .phone, value: "(55) 1234-5678"),
            Fact(client: "b", kind: .email, value: " Pago@Ejemplo.MX "),
            Fact(client: "c", kind: .email, value: "pago@ejemplo.mx"),
            Fact(client: "d", kind: .clabe, value: "002 010 077777777771"),
            Fact(client: "e", kind: .clabe, value: "002010077777777771"),
            Fact(client: "f", kind: .address, value: "Av. Juárez 10, Centro"),
            Fact(client: "g", kind: .address, value: "AV JUAREZ 10 CENTRO "),
            Fact(client: "h", kind: .phone, value: "123"),
        ])
        #expect(links.components.map(\.clients) == [["a", "b", "c"], ["d", "e"], ["f", "g"], ["h"]])
        let abc = links.component(of: "c")
        #expect(Set(abc?.links.map(\.kind) ?? []) == [.phone, .email] && abc?.links.count == 2)
        #expect(links.component(of: "h")?.links.isEmpty == true && links.component(of: "z") == nil)
    }

    @Test("A value shared by more clients than the hub limit links nobody and is reported; at the limit it still links")
    func hubs() {
        let shared = (0..<11).map { Fact(client: "c\($0)", kind: .phone, value: "5500000000") }
        let over = ClientLinks(facts: shared, hubLimit: 10)
        #expect(over.components.count == 11 && over.hubs == ["telefono:5500000000": 11])
        let at = ClientLinks(facts: Array(shared.prefix(10)), hubLimit: 10)
        #expect(at.components.count == 1 && at.components[0].clients.count == 10 && at.hubs.isEmpty)
    }

    @Test("Union-find agrees with a plain graph search on random facts (property)", arguments: [1, 2, 3])
    func property(seed: UInt64) {
        var state = seed
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(state >> 33) % bound
        }
        let facts = (0..<400).map { _ -> Fact in
            let (client, value) = ("c\(next(300))", next(150))
            switch next(3) {
            case 0: return Fact(client: client, kind: .phone, value: "55 \(10_000_000 + value)")
            case 1: return Fact(client: client, kind: .email, value: "u\(value)@ejemplo.mx")
            default: return Fact(client: client, kind: .rfc, value: "XAXX\(100_000 + value)")
            }
        }
        let links = ClientLinks(facts: facts, hubLimit: 1_000)
        // Breadth-first search over clients sharing a normalised (kind, value).
        var byValue: [String: Set<String>] = [:]
        for fact in facts {
            guard let value = ClientLinks.normalized(fact.value, kind: fact.kind) else { continue }
            byValue["\(fact.kind):\(value)", default: []].insert(fact.client)
        }
        var neighbours: [String: Set<String>] = [:]
        for group in byValue.values { for client in group { neighbours[client, default: []].formUnion(group) } }
        var seen: Set<String> = []
        var expected: [[String]] = []
        for client in Set(facts.map(\.client)).sorted() where !seen.contains(client) {
            var queue = [client], component: [String] = []
            seen.insert(client)
            while let next = queue.popLast() {
                component.append(next)
                for other in neighbours[next] ?? [] where seen.insert(other).inserted { queue.append(other) }
            }
            expected.append(component.sorted())
        }
        #expect(Set(links.components.map(\.clients)) == Set(expected))
        #expect(links.components.count > 1 && links.components.count < Set(facts.map(\.client)).count)
    }

    @Test("A client's data as facts: a company is linked to the person who is its representative and majority owner by her CURP, and to a client at the same address; owners under 25 % do not link")
    func factsFromProfiles() {
        let gloria = ClientLinks.facts(of: "gloria", profile: ClientSamples.individual)
        #expect(Set(gloria.map(\.kind)) == [.phone, .email, .address, .curp, .rfc, .representative, .beneficialOwner])
        let company = ClientLinks.facts(of: "golfo", profile: ClientSamples.company)
        // Her CURP as representative; the owners carry no identifier, so they link nobody (a name alone would link strangers).
        #expect(company.filter { $0.kind == .representative }.map(\.value) == ["HEGG560427MVZRRL04"])
        #expect(company.filter { $0.kind == .beneficialOwner }.isEmpty)
        var identified = ClientSamples.company
        identified.company?.beneficialOwners[0].curp = "HEGG560427MVZRRL04"
        identified.company?.beneficialOwners[1].rfc = "SOOT800101AB1"
        #expect(ClientLinks.facts(of: "golfo", profile: identified).filter { $0.kind == .beneficialOwner }.map(\.value) == ["HEGG560427MVZRRL04", "SOOT800101AB1"])
        #expect(ClientLinks.facts(of: "golfo", profile: identified, ownerBasisPoints: 5000).filter { $0.kind == .beneficialOwner }.count == 1)
        var neighbour = ClientSamples.individual
        neighbour.individual?.curp = "XEXX010101HNEXXXA4"
        neighbour.individual?.rfc = nil
        neighbour.phones = ["3311112222"]
        neighbour.email = nil
        let links = ClientLinks(facts: gloria + company + ClientLinks.facts(of: "vecina", profile: neighbour))
        let group = links.component(of: "vecina")
        #expect(group?.clients == ["gloria", "golfo", "vecina"])
        #expect(Set(group?.links.map(\.kind) ?? []) == [.representative, .address])
    }
}
