import CarteraCore
import CarteraSecurity
import Compliance
import Foundation
import Hummingbird

/// `/cumplimiento/vinculos/{cliente}`: a client's group of linked clients as a graph (who shares what with whom, the
/// high-risk ones marked) and as tables, for the compliance officer and auditors.
struct RelationshipPages {
    let web: WebRouter
    let relationships: ClientRelationships

    /// The most clients drawn; a larger group is listed in full but drawn in part.
    static let drawnLimit = 40

    static let kindLabels: [String: String] = [
        "telefono": "teléfono", "correo": "correo", "domicilio": "domicilio", "clabe": "CLABE", "cuenta": "cuenta", "curp": "CURP", "rfc": "RFC",
        "representante": "representante", "beneficiario": "beneficiario controlador", "empleador": "empleador",
    ]

    func add() {
        let pages = web.pages
        let relationships = relationships

        web.get("/cumplimiento/vinculos/:id", .permission(.readCompliance)) { request in
            guard let user = request.user, let id = request.context.parameters.get("id") else { return WebPages.redirect(to: "/login") }
            guard let group = try await relationships.group(of: id, lenderID: user.lenderID) else {
                return pages.message(
                    title: "Vínculos", message: "El cliente no está en los grupos calculados. Calcúlelos con: cartera relationships build",
                    web: request, status: .notFound, next: ("/cumplimiento", "Ir a cumplimiento")
                )
            }
            let names = Dictionary(group.members.map { ($0.clientId, $0.displayName) }, uniquingKeysWith: { first, _ in first })
            let values: [String: Any] = [
                "clientId": id, "size": group.members.count, "computedAt": CompliancePages.shortTime(group.computedAt),
                "graph": Self.svg(group, focus: id),
                "partial": group.members.count > Self.drawnLimit, "drawn": Self.drawnLimit,
                "members": group.members.map { ["id": $0.clientId, "name": $0.displayName, "highRisk": $0.highRisk, "focus": $0.clientId == id] as [String: Any] },
                "edges": group.edges.map {
                    ["from": names[$0.from] ?? $0.from, "to": names[$0.to] ?? $0.to, "kinds": $0.kinds.map { Self.kindLabels[$0] ?? $0 }.joined(separator: ", ")]
                },
            ]
            return pages.render("relationships", title: "Vínculos de \(names[id] ?? id)", web: request, values: values, current: "/cumplimiento")
        }
    }

    /// The group drawn as SVG: clients on a circle (the one asked about first, at the top), a line for each pair that
    /// shares something (its kinds in the line's title), high-risk clients in red. Names are escaped.
    static func svg(_ group: ClientRelationships.Group, focus: String) -> String {
        let ordered = (group.members.filter { $0.clientId == focus } + group.members.filter { $0.clientId != focus }).prefix(drawnLimit)
        let count = ordered.count
        let (width, height, radius) = (640.0, 480.0, count == 1 ? 0.0 : 180.0)
        var position: [String: (x: Double, y: Double)] = [:]
        for (index, member) in ordered.enumerated() {
            let angle = -Double.pi / 2 + 2 * Double.pi * Double(index) / Double(max(count, 1))
            position[member.clientId] = (width / 2 + radius * cos(angle), height / 2 + radius * sin(angle))
        }
        func escape(_ text: String) -> String {
            text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
                .replacingOccurrences(of: "\"", with: "&quot;")
        }
        func number(_ value: Double) -> String { String(Int(value.rounded())) }
        var svg = ##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 640 480" width="640" height="480" role="img" aria-label="Grafo de clientes vinculados" id="grafo">"##
        for edge in group.edges {
            guard let a = position[edge.from], let b = position[edge.to] else { continue }
            let kinds = edge.kinds.map { kindLabels[$0] ?? $0 }.joined(separator: ", ")
            svg += ##"<line x1="\##(number(a.x))" y1="\##(number(a.y))" x2="\##(number(b.x))" y2="\##(number(b.y))" stroke="#6b7280" stroke-width="\##(edge.kinds.count > 1 ? 3 : 1.5)"><title>\##(escape(kinds))</title></line>"##
            svg += ##"<text x="\##(number((a.x + b.x) / 2))" y="\##(number((a.y + b.y) / 2))" font-size="10" fill="#374151" text-anchor="middle">\##(escape(kinds))</text>"##
        }
        for member in ordered {
            guard let p = position[member.clientId] else { continue }
            let fill = member.highRisk ? "#b91c1c" : member.clientId == focus ? "#1d4ed8" : "#9ca3af"
            svg += ##"<a href="/cumplimiento/vinculos/\##(escape(member.clientId))"><circle cx="\##(number(p.x))" cy="\##(number(p.y))" r="12" fill="\##(fill)"><title>\##(escape(member.displayName))</title></circle></a>"##
            svg += ##"<text x="\##(number(p.x))" y="\##(number(p.y + 26))" font-size="11" text-anchor="middle">\##(escape(String(member.displayName.prefix(28))))</text>"##
        }
        return svg + "</svg>"
    }
}
