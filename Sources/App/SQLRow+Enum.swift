import Foundation
import SQLKit

extension SQLRow {
    /// A stored name read back as its enum case; an unknown name is a corrupt row, not a crash.
    func decode<Value: RawRepresentable>(column: String, named type: Value.Type) throws -> Value where Value.RawValue == String {
        let name = try decode(column: column, as: String.self)
        guard let value = Value(rawValue: name) else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "\(column) \(name)"))
        }
        return value
    }
}
