import Foundation

#if canImport(FoundationXML)
import FoundationXML
#endif

/// An XML document as a small tree of elements named by their local names (namespaces and prefixes dropped: camt's
/// versions, or OFAC's SDN files, differ only in the namespace), each with the line it starts on, for error messages.
public final class XMLElementNode: @unchecked Sendable {
    /// A document that could not be read: where, and what is wrong (in Spanish, lower-case start, no final period).
    public struct Malformed: Error, Equatable, Sendable {
        public enum Kind: Sendable, Equatable {
            /// Not well-formed, or cut short.
            case syntax
            /// Neither UTF-8 nor declared Latin-1 / Windows-1252.
            case encoding
        }

        public let kind: Kind
        public let line: Int
        public let reason: String

        public init(_ kind: Kind, line: Int) {
            self.kind = kind
            self.line = line
            switch kind {
            case .syntax: reason = "el XML está mal formado o incompleto"
            case .encoding: reason = "el archivo no está en UTF-8 (ni declara Latin-1)"
            }
        }
    }

    /// The local name (`Stmt`, not `camt:Stmt`).
    public let name: String
    public var attributes: [String: String]
    /// The element's own character data, untrimmed.
    public var text = ""
    public var children: [XMLElementNode] = []
    public let line: Int

    public init(name: String, attributes: [String: String], line: Int) {
        self.name = name
        self.attributes = attributes
        self.line = line
    }

    /// The first child named `name`.
    public func child(_ name: String) -> XMLElementNode? { children.first { $0.name == name } }

    /// Every child named `name`.
    public func all(_ name: String) -> [XMLElementNode] { children.filter { $0.name == name } }

    /// The element at a path of child names (`Acct/Id/IBAN`).
    public func at(_ path: String) -> XMLElementNode? {
        var node: XMLElementNode? = self
        for step in path.split(separator: "/") { node = node?.child(String(step)) }
        return node
    }

    /// The trimmed text at a path; nil when absent or empty.
    public func text(_ path: String) -> String? {
        guard let value = at(path)?.text.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else { return nil }
        return value
    }

    /// Parses `data`; a malformed document is an error naming the line.
    public static func parse(_ data: Data) throws(Malformed) -> XMLElementNode {
        let builder = Builder()
        let parser = XMLParser(data: try utf8(data))
        parser.shouldProcessNamespaces = true
        parser.shouldResolveExternalEntities = false
        parser.delegate = builder
        // An unclosed element is malformed too (some parsers stop quietly at the end of the data).
        guard parser.parse(), let root = builder.root, builder.stack.isEmpty else {
            throw Malformed(.syntax, line: builder.failureLine ?? parser.lineNumber)
        }
        return root
    }

    /// The document as valid UTF-8 — Foundation's XML parser must never see invalid UTF-8 (it traps on such names):
    /// UTF-8 as it is; a document declaring Latin-1 or Windows-1252 converted (and its declaration with it); anything
    /// else refused with the line of the first bad byte.
    public static func utf8(_ data: Data) throws(Malformed) -> Data {
        var bytes = [UInt8](data)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        if String(validating: bytes, as: UTF8.self) != nil { return Data(bytes) }
        let declaration = String(decoding: bytes.prefix(200).prefix { $0 != UInt8(ascii: ">") }, as: UTF8.self).lowercased()
        if declaration.hasPrefix("<?xml"), ["iso-8859-1", "latin1", "windows-1252", "iso8859-1"].contains(where: declaration.contains) {
            var text = String(bytes.map { Character(Unicode.Scalar($0)) })
            if let end = text.range(of: "?>") { text = "<?xml version=\"1.0\" encoding=\"UTF-8\"" + text[end.lowerBound...] }
            return Data(text.utf8)
        }
        var line = 1
        var decoder = UTF8()
        var iterator = bytes.makeIterator()
        decoding: while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar): if scalar == "\n" { line += 1 }
            case .emptyInput, .error: break decoding
            }
        }
        throw Malformed(.encoding, line: line)
    }

    private final class Builder: NSObject, XMLParserDelegate {
        var root: XMLElementNode?
        var stack: [XMLElementNode] = []
        var failureLine: Int?

        func parser(
            _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]
        ) {
            // Local names only, whatever the parser reports (`sdn:sdnEntry` → `sdnEntry`).
            let local = elementName.split(separator: ":").last.map(String.init) ?? elementName
            let node = XMLElementNode(name: local, attributes: attributeDict, line: parser.lineNumber)
            if let parent = stack.last { parent.children.append(node) } else if root == nil { root = node }
            stack.append(node)
        }

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
            _ = stack.popLast()
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            stack.last?.text += string
        }

        func parser(_ parser: XMLParser, parseErrorOccurred parseError: any Error) {
            if failureLine == nil { failureLine = parser.lineNumber }
        }
    }
}
