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

        let book = close.book
        web.get("/cobranza/cosechas", .permission(.readLoans)) { request in
            guard let user = request.user else { return WebPages.redirect(to: "/login") }
            let asOf = book.today().adding(days: -1)
            let curves = try await VintageReport.compute(lenderID: user.lenderID, asOf: asOf, database: database, book: book)
            let width = curves.cohorts.map(\.byCountBasisPoints.count).max() ?? 0
            let values: [String: Any] = [
                "date": asOf.text, "months": Array(stride(from: 1, through: width, by: 1)), "chart": Self.vintageChart(curves),
                "cohorts": curves.cohorts.map { cohort -> [String: Any] in
                    [
                        "cohort": cohort.cohort, "loans": cohort.loans, "disbursed": Self.money(cohort.disbursed),
                        "values": (0..<width).map { $0 < cohort.byCountBasisPoints.count ? Self.percent(cohort.byCountBasisPoints[$0]) + " %" : "" },
                    ]
                },
            ]
            return pages.render("collection_vintages", title: "Cosechas", web: request, values: values, current: "/cobranza")
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
            "daysToCollect": effectiveness.daysToCollect.map { days -> [String: Any] in
                ["mean": percent(days.meanHundredths), "median": days.median, "p90": days.p90, "installments": days.installments, "amount": money(days.amount)]
            } as Any,
        ]
    }

    /// One line per cohort: share 30+ days late by month on book.
    static func vintageChart(_ curves: VintageCurves) -> String {
        let width = 560, height = 200, left = 40
        let months = max(2, curves.cohorts.map(\.byCountBasisPoints.count).max() ?? 2)
        let top = max(1_000, curves.cohorts.flatMap(\.byCountBasisPoints).max() ?? 1_000)
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" viewBox=\"0 0 \(width) \(height + 24)\" width=\"\(width)\"><title>Cosechas: % con 30+ días de atraso por mes desde la disposición</title>"
        svg += "<text x=\"0\" y=\"12\" font-size=\"11\">\(percent(top)) %</text><text x=\"0\" y=\"\(height)\" font-size=\"11\">0 %</text>"
        let colors = ["#1565c0", "#c62828", "#2e7d32", "#f9a825", "#6a1b9a", "#00838f", "#4e342e", "#ad1457", "#283593", "#558b2f", "#ef6c00", "#37474f"]
        for (index, cohort) in curves.cohorts.enumerated() where cohort.byCountBasisPoints.count > 0 {
            let points = cohort.byCountBasisPoints.enumerated().map { month, value in
                "\(left + (width - left - 10) * month / (months - 1)),\(height - height * value / top)"
            }.joined(separator: " ")
            svg += "<polyline fill=\"none\" stroke=\"\(colors[index % colors.count])\" stroke-width=\"2\" points=\"\(points)\"><title>\(escape(cohort.cohort))</title></polyline>"
        }
        for month in 1...months { svg += "<text x=\"\(left + (width - left - 10) * (month - 1) / (months - 1) - 6)\" y=\"\(height + 18)\" font-size=\"10\">M\(month)</text>" }
        return svg + "</svg>"
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
