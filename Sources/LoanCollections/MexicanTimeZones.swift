import Foundation

/// A borrower's IANA time zone, from the state of their address when they have not given one. Mexico has no daylight
/// saving time since 2022 except along the US border; the zones below follow tzdata (America/Tijuana for Baja
/// California, Hermosillo for Sonora, Mazatlan for Baja California Sur, Sinaloa and Nayarit, Chihuahua for Chihuahua,
/// Cancun for Quintana Roo, Mexico_City elsewhere). Municipalities with a zone other than their state's (Ciudad Juárez,
/// Ojinaga, Matamoros and the border strip, Bahía de Banderas in Nayarit on Mexico City time) need the borrower's
/// explicit zone.
public enum MexicanTimeZones {
    /// By CURP state code (`BC`, `SR` Sonora, …; `DF` is Ciudad de México).
    static let byState: [String: String] = [
        "BC": "America/Tijuana", "SR": "America/Hermosillo", "BS": "America/Mazatlan", "SL": "America/Mazatlan", "NT": "America/Mazatlan",
        "CH": "America/Chihuahua", "QR": "America/Cancun",
    ]

    /// `explicit` when it is a known zone, otherwise the zone of `state`.
    public static func zone(explicit: String?, state: String) -> String {
        if let explicit, TimeZone(identifier: explicit) != nil { return explicit }
        return byState[state.uppercased()] ?? "America/Mexico_City"
    }

    /// Whether `identifier` is an IANA zone this machine knows.
    public static func isKnown(_ identifier: String) -> Bool { TimeZone(identifier: identifier) != nil && identifier.contains("/") }
}
