/// A QR code (ISO/IEC 18004) for short text: byte mode, error correction level M, versions 1–10 (up to 213 bytes),
/// the mask chosen by the standard's penalty rules. Enough for an `otpauth://` URI; written here because no package
/// on the approved list draws QR codes.
public struct QRCode: Sendable, Equatable {
    /// Modules per side (21 for version 1, +4 per version).
    public let size: Int
    /// `modules[row][column]`, true for dark.
    public let modules: [[Bool]]
    public let version: Int
    public let mask: Int

    /// Encodes `bytes`; nil when they do not fit in version 10. `forcedMask` is for tests.
    public init?(bytes: [UInt8], forcedMask: Int? = nil) {
        guard let version = (1...10).first(where: { Self.dataCapacity(version: $0) >= bytes.count }) else { return nil }
        var builder = Builder(version: version)
        builder.drawFunctionPatterns()
        builder.placeData(Self.codewords(bytes, version: version))
        let chosen: Int
        if let forcedMask {
            chosen = forcedMask
        } else {
            // Each mask scored once; the lowest wins (the first of equals).
            let penalties = (0..<8).map { builder.penalty(mask: $0) }
            chosen = penalties.indices.min { penalties[$0] < penalties[$1] }!
        }
        builder.applyMask(chosen)
        builder.drawFormat(mask: chosen)
        self.version = version
        self.mask = chosen
        self.size = builder.size
        self.modules = builder.modules
    }

    // MARK: Tables for level M

    /// Per version 1–10: error-correction codewords per block, and the blocks as (count, data codewords).
    static let blocks: [(ec: Int, groups: [(count: Int, data: Int)])] = [
        (10, [(1, 16)]), (16, [(1, 28)]), (26, [(1, 44)]), (18, [(2, 32)]), (24, [(2, 43)]),
        (16, [(4, 27)]), (18, [(4, 31)]), (22, [(2, 38), (2, 39)]), (22, [(3, 36), (2, 37)]), (26, [(4, 43), (1, 44)]),
    ]

    static let alignmentCenters: [[Int]] = [
        [], [6, 18], [6, 22], [6, 26], [6, 30], [6, 34], [6, 22, 38], [6, 24, 42], [6, 26, 46], [6, 28, 50],
    ]

    static func dataCodewords(version: Int) -> Int {
        blocks[version - 1].groups.reduce(0) { $0 + $1.count * $1.data }
    }

    static func countBits(version: Int) -> Int { version < 10 ? 8 : 16 }

    static func dataCapacity(version: Int) -> Int { (dataCodewords(version: version) * 8 - 4 - countBits(version: version)) / 8 }

    // MARK: Codewords

    /// Data bits (mode, count, bytes, terminator, padding), split into blocks, with Reed–Solomon codewords, interleaved.
    static func codewords(_ bytes: [UInt8], version: Int) -> [UInt8] {
        var bits: [Bool] = []
        func append(_ value: Int, _ count: Int) { for i in stride(from: count - 1, through: 0, by: -1) { bits.append((value >> i) & 1 == 1) } }
        append(0b0100, 4)
        append(bytes.count, countBits(version: version))
        for byte in bytes { append(Int(byte), 8) }
        let capacity = dataCodewords(version: version) * 8
        append(0, min(4, capacity - bits.count))
        append(0, (8 - bits.count % 8) % 8)
        var data = stride(from: 0, to: bits.count, by: 8).map { start in
            bits[start..<start + 8].reduce(UInt8(0)) { $0 << 1 | ($1 ? 1 : 0) }
        }
        var pad: UInt8 = 0xEC
        while data.count < capacity / 8 {
            data.append(pad)
            pad = pad == 0xEC ? 0x11 : 0xEC
        }

        let table = blocks[version - 1]
        var dataBlocks: [[UInt8]] = []
        var offset = 0
        for group in table.groups {
            for _ in 0..<group.count {
                dataBlocks.append(Array(data[offset..<offset + group.data]))
                offset += group.data
            }
        }
        let generator = ReedSolomon.generator(degree: table.ec)
        let ecBlocks = dataBlocks.map { ReedSolomon.remainder($0, generator: generator) }
        var result: [UInt8] = []
        for index in 0..<(dataBlocks.map(\.count).max() ?? 0) {
            for block in dataBlocks where index < block.count { result.append(block[index]) }
        }
        for index in 0..<table.ec {
            for block in ecBlocks { result.append(block[index]) }
        }
        return result
    }

    // MARK: Drawing

    struct Builder {
        let version: Int
        let size: Int
        var modules: [[Bool]]
        var isFunction: [[Bool]]

        init(version: Int) {
            self.version = version
            size = 17 + 4 * version
            modules = Array(repeating: Array(repeating: false, count: size), count: size)
            isFunction = modules
        }

        mutating func set(_ column: Int, _ row: Int, _ dark: Bool) {
            modules[row][column] = dark
            isFunction[row][column] = true
        }

        mutating func drawFunctionPatterns() {
            for i in 0..<size {
                set(6, i, i % 2 == 0)
                set(i, 6, i % 2 == 0)
            }
            for (column, row) in [(3, 3), (size - 4, 3), (3, size - 4)] {
                for dy in -4...4 {
                    for dx in -4...4 where (0..<size).contains(column + dx) && (0..<size).contains(row + dy) {
                        let distance = max(abs(dx), abs(dy))
                        set(column + dx, row + dy, distance != 2 && distance != 4)
                    }
                }
            }
            let centers = QRCode.alignmentCenters[version - 1]
            for (i, a) in centers.enumerated() {
                for (j, b) in centers.enumerated() {
                    let last = centers.count - 1
                    if (i == 0 && j == 0) || (i == 0 && j == last) || (i == last && j == 0) { continue }
                    for dy in -2...2 {
                        for dx in -2...2 { set(a + dx, b + dy, max(abs(dx), abs(dy)) != 1) }
                    }
                }
            }
            drawFormat(mask: 0)  // reserves the format areas; redrawn with the chosen mask
            if version >= 7 {
                var remainder = version
                for _ in 0..<12 { remainder = (remainder << 1) ^ ((remainder >> 11) * 0x1F25) }
                let bits = version << 12 | remainder
                for i in 0..<18 {
                    let dark = (bits >> i) & 1 == 1
                    let a = size - 11 + i % 3
                    let b = i / 3
                    set(a, b, dark)
                    set(b, a, dark)
                }
            }
        }

        /// The 15 format bits (level M = 00, then the mask) with their BCH code, drawn in both copies.
        mutating func drawFormat(mask: Int) {
            let data = 0b00 << 3 | mask
            var remainder = data
            for _ in 0..<10 { remainder = (remainder << 1) ^ ((remainder >> 9) * 0x537) }
            let bits = (data << 10 | remainder) ^ 0x5412
            func bit(_ i: Int) -> Bool { (bits >> i) & 1 == 1 }
            for i in 0...5 { set(8, i, bit(i)) }
            set(8, 7, bit(6))
            set(8, 8, bit(7))
            set(7, 8, bit(8))
            for i in 9..<15 { set(14 - i, 8, bit(i)) }
            for i in 0..<8 { set(size - 1 - i, 8, bit(i)) }
            for i in 8..<15 { set(8, size - 15 + i, bit(i)) }
            set(8, size - 8, true)
        }

        /// Places the codewords in the two-column zigzag from the bottom-right corner, skipping function modules.
        mutating func placeData(_ codewords: [UInt8]) {
            var index = 0
            var right = size - 1
            while right >= 1 {
                if right == 6 { right = 5 }
                for vertical in 0..<size {
                    for j in 0..<2 {
                        let column = right - j
                        let upward = (right + 1) & 2 == 0
                        let row = upward ? size - 1 - vertical : vertical
                        if !isFunction[row][column] && index < codewords.count * 8 {
                            modules[row][column] = (codewords[index >> 3] >> (7 - (index & 7))) & 1 == 1
                            index += 1
                        }
                    }
                }
                right -= 2
            }
        }

        static func masked(_ mask: Int, row y: Int, column x: Int) -> Bool {
            switch mask {
            case 0: (x + y) % 2 == 0
            case 1: y % 2 == 0
            case 2: x % 3 == 0
            case 3: (x + y) % 3 == 0
            case 4: (x / 3 + y / 2) % 2 == 0
            case 5: x * y % 2 + x * y % 3 == 0
            case 6: (x * y % 2 + x * y % 3) % 2 == 0
            default: ((x + y) % 2 + x * y % 3) % 2 == 0
            }
        }

        mutating func applyMask(_ mask: Int) {
            for row in 0..<size {
                for column in 0..<size where !isFunction[row][column] && Self.masked(mask, row: row, column: column) {
                    modules[row][column].toggle()
                }
            }
        }

        /// The standard's penalty score of the symbol with `mask` applied (lower is better). Worked on one flat grid
        /// and one reused line, without closures or per-line arrays (it runs eight times per code, on a request).
        func penalty(mask: Int) -> Int {
            var trial = self
            trial.applyMask(mask)
            trial.drawFormat(mask: mask)
            let n = size
            var grid = [Bool](repeating: false, count: n * n)
            for r in 0..<n {
                for c in 0..<n where trial.modules[r][c] { grid[r * n + c] = true }
            }
            // 1:1:3:1:1 finder-like runs with four light modules on one side.
            let finder: [Bool] = [true, false, true, true, true, false, true, false, false, false, false]
            var score = 0
            var line = [Bool](repeating: false, count: n)
            for vertical in [false, true] {
                for i in 0..<n {
                    for j in 0..<n { line[j] = vertical ? grid[j * n + i] : grid[i * n + j] }
                    var run = 1
                    for j in 1...n {
                        if j < n && line[j] == line[j - 1] {
                            run += 1
                        } else {
                            if run >= 5 { score += 3 + run - 5 }
                            run = 1
                        }
                    }
                    if n >= 11 {
                        for start in 0...(n - 11) {
                            var forward = true
                            var backward = true
                            for k in 0..<11 {
                                if line[start + k] != finder[k] { forward = false }
                                if line[start + k] != finder[10 - k] { backward = false }
                            }
                            if forward || backward { score += 40 }
                        }
                    }
                }
            }
            var dark = 0
            for r in 0..<n {
                for c in 0..<n {
                    let value = grid[r * n + c]
                    if value { dark += 1 }
                    if r < n - 1, c < n - 1, value == grid[r * n + c + 1], value == grid[(r + 1) * n + c], value == grid[(r + 1) * n + c + 1] { score += 3 }
                }
            }
            let total = n * n
            score += 10 * (abs(dark * 20 - total * 10) / total)
            return score
        }
    }
}

/// Reed–Solomon error correction over GF(256) with the QR polynomial x⁸ + x⁴ + x³ + x² + 1.
enum ReedSolomon {
    static func multiply(_ a: UInt8, _ b: UInt8) -> UInt8 {
        var result: Int = 0
        var x = Int(a)
        var y = Int(b)
        while y > 0 {
            if y & 1 == 1 { result ^= x }
            x <<= 1
            if x & 0x100 != 0 { x ^= 0x11D }
            y >>= 1
        }
        return UInt8(result)
    }

    /// The generator polynomial (x − α⁰)(x − α¹)…(x − α^(degree−1)), coefficients highest first, leading 1 dropped.
    static func generator(degree: Int) -> [UInt8] {
        var coefficients = [UInt8](repeating: 0, count: degree)
        coefficients[degree - 1] = 1
        var root: UInt8 = 1
        for _ in 0..<degree {
            for j in 0..<degree {
                coefficients[j] = multiply(coefficients[j], root)
                if j + 1 < degree { coefficients[j] ^= coefficients[j + 1] }
            }
            root = multiply(root, 0x02)
        }
        return coefficients
    }

    /// The remainder of data·x^degree divided by the generator: the error-correction codewords.
    static func remainder(_ data: [UInt8], generator: [UInt8]) -> [UInt8] {
        var result = [UInt8](repeating: 0, count: generator.count)
        for byte in data {
            let factor = byte ^ result.removeFirst()
            result.append(0)
            for i in 0..<result.count { result[i] ^= multiply(generator[i], factor) }
        }
        return result
    }
}

/// A QR code as inline SVG (no script, allowed by the Content-Security-Policy), with a four-module quiet zone.
public enum QRCodeSVG {
    public static func render(_ text: String) -> String? {
        guard let code = QRCode(bytes: Array(text.utf8)) else { return nil }
        let side = code.size + 8
        var path = ""
        for (row, line) in code.modules.enumerated() {
            for (column, dark) in line.enumerated() where dark { path += "M\(column + 4) \(row + 4)h1v1h-1z" }
        }
        return """
            <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \(side) \(side)" role="img" aria-label="Código QR para la aplicación de autenticación" shape-rendering="crispEdges"><rect width="\(side)" height="\(side)" fill="#fff"/><path d="\(path)" fill="#000"/></svg>
            """
    }
}
