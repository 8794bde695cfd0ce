/// Common Mexican nicknames (hipocorísticos) and the given names they stand for; screening treats a nickname and its
/// name as a weaker match than the same name (a person may be listed as Francisco and known as Paco).
public enum SpanishNicknames {
    public static let names: [String: [String]] = [
        "pepe": ["jose"], "pepa": ["josefa"], "chepe": ["jose"], "paco": ["francisco"], "pancho": ["francisco"], "kiko": ["francisco", "enrique"],
        "chuy": ["jesus"], "chucho": ["jesus"], "lupe": ["guadalupe"], "lupita": ["guadalupe"], "memo": ["guillermo"], "nacho": ["ignacio"],
        "lalo": ["eduardo"], "beto": ["alberto", "roberto", "humberto", "norberto"], "tono": ["antonio"], "tonio": ["antonio"], "quique": ["enrique"],
        "chema": ["jose"], "concha": ["concepcion"], "conchita": ["concepcion"], "charo": ["rosario"], "chayo": ["rosario"], "lola": ["dolores"],
        "maru": ["maria"], "rafa": ["rafael"], "fer": ["fernando", "fernanda"], "gaby": ["gabriela"], "lucha": ["luz"], "chela": ["graciela"],
        "nando": ["fernando"], "pili": ["pilar"], "meche": ["mercedes"], "mague": ["margarita"], "male": ["maria"],
        "chabela": ["isabel"], "chava": ["salvador"], "chente": ["vicente"], "goyo": ["gregorio"], "licha": ["alicia"], "lencho": ["lorenzo"],
        "pedrito": ["pedro"], "juancho": ["juan"], "javi": ["javier"], "tere": ["teresa"], "rigo": ["rigoberto"], "poncho": ["alfonso"],
    ]

    /// The nicknames of each name (`francisco` → `kiko`, `paco`, `pancho`).
    public static let byName: [String: [String]] = {
        var result: [String: [String]] = [:]
        for (nickname, full) in names { for name in full { result[name, default: []].append(nickname) } }
        return result.mapValues { $0.sorted() }
    }()

    /// Whether one token is a nickname of the other.
    public static func related(_ a: String, _ b: String) -> Bool {
        names[a]?.contains(b) == true || names[b]?.contains(a) == true
    }
}
