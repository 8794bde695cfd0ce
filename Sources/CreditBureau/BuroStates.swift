/// Buró de Crédito's state keys by the CURP's state key (unverified: confirm against Buró's catalogue).
public enum BuroStates {
    public static let byCURP: [String: String] = [
        "AS": "AGS", "BC": "BC", "BS": "BCS", "CC": "CAMP", "CL": "COAH", "CM": "COL", "CS": "CHIS", "CH": "CHIH", "DF": "CDMX", "DG": "DGO",
        "GT": "GTO", "GR": "GRO", "HG": "HGO", "JC": "JAL", "MC": "EM", "MN": "MICH", "MS": "MOR", "NT": "NAY", "NL": "NL", "OC": "OAX",
        "PL": "PUE", "QT": "QRO", "QR": "QR", "SP": "SLP", "SL": "SIN", "SR": "SON", "TC": "TAB", "TS": "TAMP", "TL": "TLAX", "VZ": "VER",
        "YN": "YUC", "ZS": "ZAC",
    ]
}
