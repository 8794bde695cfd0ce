import CarteraCore
import Foundation
import CarteraSecurity

/// Where the personal-data keys come from: the environment, or a key file created at first start.
///
/// - `CARTERA_DATA_KEYS` = `k1:BASE64,k2:BASE64` (32-byte AES keys), `CARTERA_DATA_KEY_CURRENT` (default: the last
///   listed) and `CARTERA_INDEX_KEY` = BASE64 (32-byte HMAC key): for deployments with a secret manager.
/// - Otherwise the JSON key file `CARTERA_KEY_FILE` (default `./cartera.keys`), created with fresh random keys and
///   permissions 0600 when it does not exist. A key file readable by group or others is refused.
public enum KeyStore {
    struct FileFormat: Codable {
        let current: String
        let data_keys: [String: String]
        let index_key: String
    }

    /// Where the keys came from.
    public enum Source: Sendable, Equatable {
        case environment
        case file(path: String, created: Bool)
    }

    /// Loads the key ring, creating the key file if needed.
    public static func load(environment: [String: String], defaultFile: String = "./cartera.keys") throws -> (KeyRing, Source) {
        if let list = environment["CARTERA_DATA_KEYS"], !list.isEmpty {
            var keys: [String: [UInt8]] = [:]
            var order: [String] = []
            for item in list.split(separator: ",") {
                let pair = item.split(separator: ":", maxSplits: 1)
                guard pair.count == 2, let bytes = Data(base64Encoded: String(pair[1])) else {
                    throw KeyRing.Invalid(detail: "CARTERA_DATA_KEYS debe ser id:base64,id:base64")
                }
                keys[String(pair[0])] = Array(bytes)
                order.append(String(pair[0]))
            }
            guard let indexText = environment["CARTERA_INDEX_KEY"], let index = Data(base64Encoded: indexText) else {
                throw KeyRing.Invalid(detail: "falta CARTERA_INDEX_KEY (32 bytes en base64)")
            }
            let ring = try KeyRing(currentKeyID: environment["CARTERA_DATA_KEY_CURRENT"] ?? order.last!, dataKeys: keys, indexKey: Array(index))
            return (ring, .environment)
        }
        let path = environment["CARTERA_KEY_FILE"] ?? defaultFile
        if FileManager.default.fileExists(atPath: path) { return (try read(path: path), .file(path: path, created: false)) }
        let ring = KeyRing.generate()
        try write(ring, path: path)
        return (ring, .file(path: path, created: true))
    }

    static func read(path: String) throws -> KeyRing {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        if let permissions = attributes[.posixPermissions] as? Int, permissions & 0o077 != 0 {
            throw KeyRing.Invalid(detail: "el archivo \(path) puede ser leído por otros usuarios; ejecute chmod 600 \(path)")
        }
        guard let data = FileManager.default.contents(atPath: path),
            let file = try? JSONDecoder().decode(FileFormat.self, from: data)
        else { throw KeyRing.Invalid(detail: "no se pudo leer el archivo \(path)") }
        var keys: [String: [UInt8]] = [:]
        for (id, text) in file.data_keys {
            guard let bytes = Data(base64Encoded: text) else { throw KeyRing.Invalid(detail: "la llave «\(id)» no es base64") }
            keys[id] = Array(bytes)
        }
        guard let index = Data(base64Encoded: file.index_key) else { throw KeyRing.Invalid(detail: "la llave de índices no es base64") }
        return try KeyRing(currentKeyID: file.current, dataKeys: keys, indexKey: Array(index))
    }

    /// Adds a new data key to the key file and makes it current (the old keys stay, for reading). The file is replaced
    /// atomically, with permissions 0600. Returns the new ring.
    public static func addKey(path: String) throws -> KeyRing {
        let ring = try read(path: path)
        let numbers = ring.keyIDs.compactMap { $0.hasPrefix("k") ? Int($0.dropFirst()) : nil }
        let rotated = try ring.addingKey(id: "k\((numbers.max() ?? 0) + 1)")
        let temporary = path + ".new"
        try? FileManager.default.removeItem(atPath: temporary)
        try write(rotated, path: temporary)
        guard rename(temporary, path) == 0 else {
            throw KeyRing.Invalid(detail: "no se pudo reemplazar \(path) (\(String(cString: strerror(errno))))")
        }
        return rotated
    }

    /// Writes a new key file readable only by its owner; refuses to overwrite an existing one.
    static func write(_ ring: KeyRing, path: String) throws {
        let file = FileFormat(
            current: ring.currentKeyID,
            data_keys: ring.exportDataKeys().mapValues { Data($0).base64EncodedString() },
            index_key: Data(ring.exportIndexKey()).base64EncodedString()
        )
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data = try encoder.encode(file)
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard descriptor >= 0 else {
            throw KeyRing.Invalid(detail: "no se pudo crear el archivo de llaves \(path) (\(String(cString: strerror(errno))))")
        }
        let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        try handle.write(contentsOf: data)
        try handle.synchronize()
    }
}
