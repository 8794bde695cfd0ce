import CarteraCore
import CarteraSecurity
import Foundation
import Hummingbird
import Lending

/// `/productos` (the catalogue, latest versions) and `/cotizador` (a quote under a product: schedule, totals, CAT).
struct LendingPages {
    let web: WebRouter
    let catalog: ProductCatalog

    func add() {
        let pages = web.pages
        let catalog = catalog
        let clock = web.gate.clock

        web.get("/productos", .permission(.useBackOffice)) { request in
            guard let user = request.user else { return WebPages.redirect(to: "/login") }
            let products = try await catalog.latest(lenderID: user.lenderID)
            return pages.render(
                "products", title: "Productos", web: request,
                values: ["products": products.map(Self.row), "canManage": user.role.allows(.manageProducts)],
                notice: request.query("aviso") == "guardado" ? "Producto guardado." : nil, current: "/productos"
            )
        }

        web.get("/productos/nuevo", .permission(.manageProducts)) { request in
            Self.productForm(pages, request, issues: [])
        }

        web.post("/productos", .permission(.manageProducts)) { request in
            guard let user = request.user else { return WebPages.redirect(to: "/login") }
            let form = request.form
            guard let frequency = Frequency(rawValue: request.field("frequency")), let minimumTerm = Int(request.field("minimumTerm")),
                let maximumTerm = Int(request.field("maximumTerm"))
            else {
                return Self.productForm(pages, request, issues: [FieldIssue(field: "maximumTerm", code: "invalid", message: "Escriba los plazos como número de pagos.")])
            }
            let fee = request.field("openingFeePercent")
            let multiple = request.field("moratoriumMultiple")
            let document = ProductDocument(
                code: request.field("code"), name: request.field("name"), annualRate: request.field("annualRate"),
                dayCount: DayCount(rawValue: form["dayCount"] ?? ""), frequency: frequency, method: AmortizationMethod(rawValue: form["method"] ?? ""),
                minimumAmount: request.field("minimumAmount"), maximumAmount: request.field("maximumAmount"), minimumTerm: minimumTerm,
                maximumTerm: maximumTerm, openingFee: fee.isEmpty ? nil : .init(amount: nil, percent: fee),
                openingFeeTreatment: Product.FeeTreatment(rawValue: form["openingFeeTreatment"] ?? ""),
                iva: request.field("iva").isEmpty ? nil : request.field("iva"),
                moratorium: multiple.isEmpty ? nil : .init(multipleOfOrdinary: multiple, fixedRate: nil),
                rateConvention: RateConvention(rawValue: form["rateConvention"] ?? ""), catTimeBasis: CATTimeBasis(rawValue: form["catTimeBasis"] ?? "")
            )
            do {
                _ = try await catalog.save(try document.product(), lenderID: user.lenderID, actor: request.actor)
            } catch let error as APIError {
                let issues = error.details.isEmpty ? [FieldIssue(field: "", code: error.code, message: error.message)] : error.details
                return Self.productForm(pages, request, issues: issues)
            }
            return WebPages.redirect(to: "/productos?aviso=guardado")
        }

        web.get("/cotizador", .permission(.useBackOffice)) { request in
            guard let user = request.user else { return WebPages.redirect(to: "/login") }
            let products = try await catalog.latest(lenderID: user.lenderID)
            let chosen = request.query("producto").flatMap { code in products.first { $0.code == code.uppercased() } } ?? products.first
            var values: [String: Any] = [
                "products": products.map { ["code": $0.code, "name": $0.name, "version": $0.version, "selected": $0.code == chosen?.code] as [String: Any] },
                "form": ["monto": request.query("monto") ?? "", "plazo": request.query("plazo") ?? "", "inicio": request.query("inicio") ?? ""],
            ]
            var problem: String?
            if let product = chosen, let amountText = request.query("monto") {
                let today = clock().calendarDate(utcOffsetSeconds: -21_600)
                let start = request.query("inicio").flatMap(CalendarDate.init(text:)) ?? today
                if let principal = try? Money(parsing: amountText), let term = request.query("plazo").flatMap({ Int($0) }) {
                    do {
                        let quote = QuoteDocument(try product.quote(principal: principal, term: term, start: start))
                        values["quote"] = [
                            "payment": "$" + quote.payment, "cat": quote.cat ?? "—", "frequency": product.frequency.rawValue,
                            "totalPaid": "$" + quote.totalPaid, "totalInterest": "$" + quote.totalInterest, "totalIva": "$" + quote.totalIva,
                            "rows": quote.installments.map {
                                ["number": $0.number, "dueDate": $0.dueDate, "payment": $0.payment, "interest": $0.interest, "iva": $0.iva,
                                 "principal": $0.principal, "balance": $0.balance] as [String: Any]
                            },
                        ] as [String: Any]
                    } catch let refusal as QuoteRefusal {
                        problem = refusal.message
                    }
                } else {
                    problem = "Escriba el monto (por ejemplo 15000) y el plazo en número de pagos."
                }
            } else if products.isEmpty {
                problem = "Aún no hay productos: regístrelos primero (POST /api/v1/products)."
            }
            return pages.render("quote", title: "Cotizador", web: request, values: values, error: problem, current: "/cotizador")
        }
    }

    /// The product form, with the values typed so far and the problems found.
    static func productForm(_ pages: WebPages, _ request: WebRequest, issues: [FieldIssue]) -> Response {
        let form = request.form
        func options(_ values: [String], selected: String?) -> [[String: Any]] { values.map { ["value": $0, "selected": $0 == selected] } }
        let defaults = ["iva": "16", "moratoriumMultiple": "1.5"]
        return pages.render(
            "product_new", title: "Nuevo producto", web: request,
            values: [
                "form": defaults.merging(form) { $1 },
                "issues": issues.map { ["message": $0.message] }, "hasIssues": !issues.isEmpty,
                "dayCounts": options(DayCount.allCases.map(\.rawValue), selected: form["dayCount"]),
                "frequencies": options(Frequency.allCases.map(\.rawValue), selected: form["frequency"] ?? "mensual"),
                "methods": [("french", "Francés (pago nivelado)"), ("german", "Alemán (capital igual)"), ("flat", "Tasa global")].map {
                    ["value": $0.0, "label": $0.1, "selected": $0.0 == form["method"]] as [String: Any]
                },
                "financed": form["openingFeeTreatment"] == "financed",
                "rateConventions": RateConvention.allCases.map { ["value": $0.rawValue, "label": $0.label, "selected": $0.rawValue == form["rateConvention"]] as [String: Any] },
                "catBases": CATTimeBasis.allCases.map { ["value": $0.rawValue, "label": $0.label, "selected": $0.rawValue == form["catTimeBasis"]] as [String: Any] },
            ],
            status: issues.isEmpty ? .ok : .unprocessableContent, current: "/productos"
        )
    }

    static func row(_ product: Product) -> [String: Any] {
        let fee = switch product.openingFee {
        case .amount(let money): money.formatted(.symbol)
        case .percent(let rate): "\(rate.percentText)%"
        }
        return [
            "code": product.code, "name": product.name, "version": product.version, "rate": product.annualRate.percentText,
            "dayCount": product.dayCount.rawValue, "frequency": product.frequency.rawValue, "method": product.method.rawValue,
            "amounts": "\(product.minimumAmount.formatted(.symbol)) – \(product.maximumAmount.formatted(.symbol))",
            "terms": "\(product.minimumTerm)–\(product.maximumTerm)",
            "fee": fee + (product.openingFeeTreatment == .financed ? " financiada" : ""), "iva": product.ivaRate.percentText,
        ]
    }
}
