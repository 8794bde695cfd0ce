import CarteraCore
import CarteraSecurity
import Foundation
import NIOConcurrencyHelpers

/// The personal-data keys of a running process, kept current while `cartera keys rotate` changes the key file.
///
/// With a key file, the file is looked at again at most every `recheckSeconds` (new key → it encrypts from then on)
/// and at once when a stored value names a key this process does not have yet, so a value re-encrypted by a rotation
/// running elsewhere is always readable. Keys from the environment never change while the process runs.
public final class LiveKeys: Sendable {
    public static let recheckSeconds: Double = 10

    private struct State {
        var ring: KeyRing
        var stamp: String?
        var checkedAt: Date
    }

    private let state: NIOLockedValueBox<State>
    private let path: String?

    /// Fixed keys (tests, and keys from the environment).
    public init(_ ring: KeyRing) {
        state = NIOLockedValueBox(State(ring: ring, stamp: nil, checkedAt: Date()))
        path = nil
        source = nil
    }

    /// Keys from the environment or the key file, as `KeyStore.load` finds them.
    public init(environment: [String: String]) throws {
        let (ring, source) = try KeyStore.load(environment: environment)
        state = NIOLockedValueBox(State(ring: ring, stamp: nil, checkedAt: Date()))
        if case .file(let path, _) = source {
            self.path = path
            state.withLockedValue { $0.stamp = Self.stamp(path) }
        } else {
            self.path = nil
        }
        self.source = source
    }

    /// Where the keys came from (nil for fixed keys).
    public let source: KeyStore.Source?

    /// The key ring now (re-reading the key file when it is due).
    public var ring: KeyRing {
        reload(force: false)
        return state.withLockedValue { $0.ring }
    }

    /// A cipher with the current keys.
    public var cipher: FieldCipher { FieldCipher(keys: ring) }

    /// Decrypts a stored value, re-reading the key file first when the value names a key not loaded yet.
    public func decrypt(_ stored: String, field: String) throws(FieldCipher.Unreadable) -> String {
        if let keyID = FieldCipher.keyID(of: stored), !state.withLockedValue({ $0.ring.keyIDs.contains(keyID) }) {
            reload(force: true)
        }
        return try cipher.decrypt(stored, field: field)
    }

    /// A column value that may predate encryption: plain text is returned as it is.
    public func readable(_ stored: String, field: String) throws(FieldCipher.Unreadable) -> String {
        FieldCipher.keyID(of: stored) == nil ? stored : try decrypt(stored, field: field)
    }

    private func reload(force: Bool) {
        guard let path else { return }
        let now = Date()
        let due = state.withLockedValue { force || now.timeIntervalSince($0.checkedAt) >= Self.recheckSeconds }
        guard due else { return }
        let stamp = Self.stamp(path)
        let changed = state.withLockedValue { state -> Bool in
            state.checkedAt = now
            return stamp != state.stamp
        }
        // A forced re-read (a value names a key not loaded) does not trust the stamp: the file may have been replaced
        // within the stamp's resolution.
        guard changed || force, let ring = try? KeyStore.read(path: path) else { return }
        state.withLockedValue {
            $0.ring = ring
            $0.stamp = stamp
        }
    }

    /// What identifies one version of the key file: its inode (a rotation replaces the file), time and size.
    private static func stamp(_ path: String) -> String? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else { return nil }
        let inode = attributes[.systemFileNumber].map { "\($0)" } ?? ""
        let time = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
        let size = attributes[.size].map { "\($0)" } ?? ""
        return "\(inode)-\(time)-\(size)"
    }
}
