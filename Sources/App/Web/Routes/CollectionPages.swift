import CarteraCore
import CarteraSecurity
import Foundation
import HTTPTypes
import Hummingbird
import LoanCollections
import Store

/// The collections dashboard (`/cobranza`): a closed day's delinquency from its snapshots — the portfolio by bucket
/// (by balance and by count, with a server-drawn SVG chart), PAR30, PAR90, IMOR, the roll-rate matrix against a month
/// before — and its CSV.
struct CollectionPages {
    let web: WebRouter
    let database: Database
    let close: EndOfDayClose

    func add() {
        let pages = web.pages
        let reports = CollectionReports(database: database)
        let close = close
        let database = database

        web.get("/cobranza", .permission(.readLoans)) { request in
            guard let user = request.user else { return WebPages.redirect(to: "/login") }
            guard let (date, from) = try await Self.dates(request, lenderID: user.lenderID, close: close) else {
                return pages.render("collections", title: "Cobranza", web: request, values: ["empty": true], current: "/cobranza")
            }
            do {
                let report = try await reports.delinquency(lenderID: user.lenderID, date: date, from: from)
                var values = Self.values(report)
                if let from, let effectiveness = try? await CollectionEffectiveness.compute(lenderID: user.lenderID, from: from, to: date, database: database) {
                    values["effectiveness"] = Self.values(effectiveness)
                }
                return pages.render("collections", title: "Cobranza", web: request, values: values, current: "/cobranza")
            } catch let error as APIError {
                return pages.render("collections", title: "Cobranza", web: request, values: ["empty": true], error: error.message, status: error.status, current: "/cobranza")
            }
        }

        web.get("/cobranza/morosidad.csv", .permission(.readLoans)) { request in
            guard let user = request.user else { return WebPages.redirect(to: "/login") }
            guard let (date, _) = try await Self.dates(request, lenderID: user.lenderID, close: close) else {
                return pages.message(title: "Cobranza", message: "Aún no hay días cerrados: ejecute el cierre del día.", web: request, status: .notFound)
            }
            let report = try await reports.delinquency(lenderID: user.lenderID, date: date)
            var csv = "fecha,rango,nombre,creditos,saldo_capital,porcentaje_creditos,porcentaje_saldo\r\n"
            for line in report.buckets {
                csv += [
                    report.date.text, line.bucket, Self.csvField(line.label), String(line.loans), Money(minorUnits: line.principal, currency: .mxn).decimalText,
                    Self.percent(line.shareOfLoansBasisPoints), Self.percent(line.shareOfPrincipalBasisPoints),
                ].joined(separator: ",") + "\r\n"
            }
            var headers = HTTPFields()
            headers[.contentType] = "text/csv; charset=utf-8"
            headers[.contentDisposition] = "attachment; filename=\"morosidad-\(report.date.text).csv\""
            headers[.cacheControl] = "no-store"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: csv)))
        }
    }

    /// The day asked for (`?fecha=`, the last closed one by default) and the day a month before it when it was closed.
    static func dates(_ request: WebRequest, lenderID: String, close: EndOfDayClose) async throws -> (CalendarDate, CalendarDate?)? {
        let last = try await close.closedThrough(lenderID: lenderID)
        guard let date = request.query("fecha").flatMap(CalendarDate.init(text:)) ?? last else { return nil }
        let before = date.adding(months: -1)
        return (date, try await close.isClosed(lenderID: lenderID, date: before) ? before : nil)
    }

    static func percent(_ basisPoints: Int) -> String { String(format: "%d.%02d", basisPoints / 100, basisPoints % 100) }

    static func csvField(_ text: String) -> String {
        text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
    }

    static func money(_ centavos: Int64) -> String { Money(minorUnits: centavos, currency: .mxn).formatted(.symbol) }

    static func values(_ report: DelinquencyReport) -> [String: Any] {
        var values: [String: Any] = [
            "date": report.date.text, "loans": report.loans, "gross": money(report.grossPortfolio), "par30": percent(report.par30BasisPoints),
            "par90": percent(report.par90BasisPoints), "imor": percent(report.imorBasisPoints), "nonPerforming": money(report.nonPerforming),
            "chart": chart(report),
            "buckets": report.buckets.map { line -> [String: Any] in
                [
                    "label": line.label, "loans": line.loans, "principal": money(line.principal), "shareLoans": percent(line.shareOfLoansBasisPoints),
                    "sharePrincipal": percent(line.shareOfPrincipalBasisPoints),
                ]
            },
        ]
        if let from = report.comparedWith {
            let codes = report.buckets.map(\.bucket)
            values["comparison"] = [
                "from": from.text, "codes": codes.map { ["code": $0] },
                "rows": report.rolls.map { roll -> [String: Any] in
                    ["from": roll.from, "cells": codes.map { ["value": percent(roll.toBasisPoints[$0] ?? 0)] } + [["value": percent(roll.goneBasisPoints)]]]
                },
                "cure": report.cureRateLoansBasisPoints.map(percent) ?? "—",
            ] as [String: Any]
        }
        return values
    }

    /// Horizontal bars of each bucket's share of the balance, drawn on the server (no script). Every text is escaped.
    static func values(_ effectiveness: CollectionEffectiveness) -> [String: Any] {
        func rows(_ lines: [CollectionKPIs.CashFlowLine]) -> [[String: Any]] {
            lines.map { ["start": $0.start.text, "projected": money($0.projected), "actual": money($0.actual), "share": $0.collectedBasisPoints.map(percent) ?? "—"] }
        }
        return [
            "from": effectiveness.from, "to": effectiveness.to, "cei": effectiveness.ceiBasisPoints.map(percent) ?? "—",
            "monthly": rows(effectiveness.monthly), "weekly": rows(effectiveness.weekly), "chart": cashChart(effectiveness.weekly),
        ]
    }

    /// Projected (grey) against collected (green) by week, as bars.
    static func cashChart(_ lines: [CollectionKPIs.CashFlowLine]) -> String {
        let height = 160
        let step = 44
        let width = max(200, lines.count * step + 20)
        let top = max(1, lines.map { max($0.projected, $0.actual) }.max() ?? 1)
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" viewBox=\"0 0 \(width) \(height + 30)\" width=\"\(width)\">"
        svg += "<title>Flujo proyectado contra cobrado por semana</title>"
        for (index, line) in lines.enumerated() {
            let x = 10 + index * step
            let projected = Int(Int128(height) * Int128(line.projected) / Int128(top))
            let actual = Int(Int128(height) * Int128(line.actual) / Int128(top))
            svg += "<rect x=\"\(x)\" y=\"\(height - projected)\" width=\"16\" height=\"\(projected)\" fill=\"#9e9e9e\"><title>Proyectado \(escape(money(line.projected)))</title></rect>"
            svg += "<rect x=\"\(x + 18)\" y=\"\(height - actual)\" width=\"16\" height=\"\(actual)\" fill=\"#2e7d32\"><title>Cobrado \(escape(money(line.actual)))</title></rect>"
            svg += "<text x=\"\(x)\" y=\"\(height + 20)\" font-size=\"10\">\(escape(String(line.start.text.dropFirst(5))))</text>"
        }
        return svg + "</svg>"
    }

    static func chart(_ report: DelinquencyReport) -> String {
        let rowHeight = 26
        let width = 560
        let labelWidth = 150
        let barSpace = width - labelWidth - 70
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" viewBox=\"0 0 \(width) \(report.buckets.count * rowHeight + 10)\" width=\"\(width)\">"
        svg += "<title>Saldo de capital por rango de atraso al \(escape(report.date.text))</title>"
        for (index, line) in report.buckets.enumerated() {
            let y = 5 + index * rowHeight
            let length = barSpace * line.shareOfPrincipalBasisPoints / 10_000
            let color = index == 0 ? "#2e7d32" : index < 3 ? "#f9a825" : "#c62828"
            svg += "<text x=\"0\" y=\"\(y + 17)\" font-size=\"13\">\(escape(line.label))</text>"
            svg += "<rect x=\"\(labelWidth)\" y=\"\(y + 4)\" width=\"\(max(length, line.principal > 0 ? 1 : 0))\" height=\"16\" fill=\"\(color)\"/>"
            svg += "<text x=\"\(labelWidth + length + 6)\" y=\"\(y + 17)\" font-size=\"12\">\(percent(line.shareOfPrincipalBasisPoints)) %</text>"
        }
        return svg + "</svg>"
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
            .replacingOccurrences(of: "\"", with: "&quot;")
    }
}
