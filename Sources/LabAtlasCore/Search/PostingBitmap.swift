/// A set of search sequence numbers (`SearchDocID.sequence`), as kept by an
/// index that stores its own posting lists: one bit a document, in chunks of
/// 65,536 sequences. Intersections, unions, counts and "the newest n" cost a
/// few microseconds a chunk however many documents match, which is what a
/// search needs for its counts per type and facet value.
///
/// In memory a chunk is 1,024 words; stored, it is a container of bytes
/// (`encode`): its sequences' low 16 bits as a sorted little-endian `UInt16`
/// array when it holds fewer than 4,096, the 8,192 bytes of its words
/// otherwise. The length alone tells the two apart.
public struct PostingBitmap: Sendable, Equatable {
    public static let chunkShift: Int64 = 16
    public static let wordsPerChunk = 1_024
    static let containerBytes = 8_192
    static let arrayLimit = 4_095

    /// Chunk number → its words; no chunk is empty.
    public private(set) var chunks: [Int64: [UInt64]] = [:]

    public init() {}

    public init(_ sequences: some Sequence<Int64>) {
        for sequence in sequences { insert(sequence) }
    }

    public static func chunk(of sequence: Int64) -> Int64 { sequence >> chunkShift }

    public var isEmpty: Bool { chunks.isEmpty }

    public var count: Int {
        chunks.values.reduce(0) { total, words in total + words.reduce(0) { $0 + $1.nonzeroBitCount } }
    }

    public func contains(_ sequence: Int64) -> Bool {
        guard let words = chunks[Self.chunk(of: sequence)] else { return false }
        let low = Int(sequence & 0xFFFF)
        return words[low >> 6] & (1 << UInt64(low & 63)) != 0
    }

    public mutating func insert(_ sequence: Int64) {
        let low = Int(sequence & 0xFFFF)
        chunks[Self.chunk(of: sequence), default: Self.emptyWords][low >> 6] |= 1 << UInt64(low & 63)
    }

    public mutating func remove(_ sequence: Int64) {
        let chunk = Self.chunk(of: sequence)
        guard var words = chunks[chunk] else { return }
        let low = Int(sequence & 0xFFFF)
        words[low >> 6] &= ~(1 << UInt64(low & 63))
        chunks[chunk] = words.allSatisfy { $0 == 0 } ? nil : words
    }

    public func intersection(_ other: PostingBitmap) -> PostingBitmap {
        var result = PostingBitmap()
        for (chunk, words) in chunks {
            guard let others = other.chunks[chunk] else { continue }
            result.set(chunk, Self.combine(words, others) { $0 & $1 })
        }
        return result
    }

    public func union(_ other: PostingBitmap) -> PostingBitmap {
        var result = self
        result.formUnion(other)
        return result
    }

    public mutating func formUnion(_ other: PostingBitmap) {
        for (chunk, others) in other.chunks {
            if let words = chunks[chunk] { chunks[chunk] = Self.combine(words, others) { $0 | $1 } } else { chunks[chunk] = others }
        }
    }

    public func subtracting(_ other: PostingBitmap) -> PostingBitmap {
        var result = PostingBitmap()
        for (chunk, words) in chunks {
            guard let others = other.chunks[chunk] else {
                result.chunks[chunk] = words
                continue
            }
            result.set(chunk, Self.combine(words, others) { $0 & ~$1 })
        }
        return result
    }

    /// How many sequences both sets hold.
    public func intersectionCount(_ other: PostingBitmap) -> Int {
        var total = 0
        for (chunk, words) in chunks {
            guard let others = other.chunks[chunk] else { continue }
            for index in 0..<Self.wordsPerChunk { total += (words[index] & others[index]).nonzeroBitCount }
        }
        return total
    }

    /// How many sequences of a stored container (of `chunk`) the set holds, read
    /// in place: a facet's thousands of small containers are never expanded.
    public func intersectionCount(chunk: Int64, container bytes: ArraySlice<UInt8>) -> Int {
        guard let words = chunks[chunk] else { return 0 }
        var total = 0
        if bytes.count == Self.containerBytes {
            bytes.withUnsafeBytes { raw in
                for index in 0..<Self.wordsPerChunk {
                    total += (words[index] & UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: index * 8, as: UInt64.self))).nonzeroBitCount
                }
            }
            return total
        }
        var index = bytes.startIndex
        while index + 1 < bytes.endIndex {
            let low = Int(bytes[index]) | Int(bytes[index + 1]) << 8
            if words[low >> 6] & (1 << UInt64(low & 63)) != 0 { total += 1 }
            index += 2
        }
        return total
    }

    /// The `limit` highest sequences, highest first.
    public func highest(_ limit: Int) -> [Int64] {
        var found: [Int64] = []
        guard limit > 0 else { return found }
        for chunk in chunks.keys.sorted(by: >) {
            let words = chunks[chunk]!
            for index in stride(from: Self.wordsPerChunk - 1, through: 0, by: -1) where words[index] != 0 {
                var word = words[index]
                while word != 0 {
                    let bit = 63 - word.leadingZeroBitCount
                    found.append(chunk << Self.chunkShift | Int64(index << 6 | bit))
                    if found.count == limit { return found }
                    word &= ~(1 << UInt64(bit))
                }
            }
        }
        return found
    }

    // MARK: - Storage

    /// The stored form of one chunk's words (see the type's comment).
    public static func encode(_ words: [UInt64]) -> [UInt8] {
        let population = words.reduce(0) { $0 + $1.nonzeroBitCount }
        if population > arrayLimit {
            var bytes: [UInt8] = []
            bytes.reserveCapacity(containerBytes)
            for word in words { for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: word >> UInt64(shift))) } }
            return bytes
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(population * 2)
        for (index, word) in words.enumerated() {
            var rest = word
            while rest != 0 {
                let low = index << 6 | rest.trailingZeroBitCount
                bytes.append(UInt8(truncatingIfNeeded: low))
                bytes.append(UInt8(truncatingIfNeeded: low >> 8))
                rest &= rest - 1
            }
        }
        return bytes
    }

    /// The words of a stored container, nil when the bytes are not one.
    public static func decode(_ bytes: some Collection<UInt8>) -> [UInt64]? {
        var words = emptyWords
        if bytes.count == containerBytes {
            var index = 0
            var shift: UInt64 = 0
            for byte in bytes {
                words[index] |= UInt64(byte) << shift
                shift += 8
                if shift == 64 { shift = 0; index += 1 }
            }
            return words
        }
        guard isContainer(length: bytes.count) else { return nil }
        var first: UInt8?
        for byte in bytes {
            guard let low = first else { first = byte; continue }
            let value = Int(low) | Int(byte) << 8
            words[value >> 6] |= 1 << UInt64(value & 63)
            first = nil
        }
        return words
    }

    /// Adds a stored chunk's sequences; false when the bytes are not a container.
    @discardableResult
    public mutating func add(chunk: Int64, container bytes: some Collection<UInt8>) -> Bool {
        guard let words = Self.decode(bytes) else { return false }
        if let existing = chunks[chunk] { set(chunk, Self.combine(existing, words) { $0 | $1 }) } else { set(chunk, words) }
        return true
    }

    /// One container a chunk, in chunk order.
    public var containers: [(chunk: Int64, bytes: [UInt8])] {
        chunks.keys.sorted().map { ($0, Self.encode(chunks[$0]!)) }
    }

    /// The whole set as one value, for sets read whole: each chunk's number
    /// (8 bytes), its container's length (4 bytes), then the container, all
    /// little-endian, in chunk order.
    public var encoded: [UInt8] {
        var bytes: [UInt8] = []
        for (chunk, container) in containers {
            Self.append(UInt64(bitPattern: chunk), bytes: 8, to: &bytes)
            Self.append(UInt64(container.count), bytes: 4, to: &bytes)
            bytes += container
        }
        return bytes
    }

    /// A set from `encoded`; nil when the bytes are not one.
    public init?(encoded bytes: [UInt8]) {
        var set = PostingBitmap()
        guard Self.forEachContainer(in: bytes[...], { set.add(chunk: $0, container: $1) }) else { return nil }
        self = set
    }

    /// How many sequences of an encoded set (`encoded`) this set holds, read in
    /// place; nil when the bytes are not one.
    public func intersectionCount(encoded bytes: ArraySlice<UInt8>) -> Int? {
        var total = 0
        guard Self.forEachContainer(in: bytes, { chunk, container in
            guard Self.isContainer(length: container.count) else { return false }
            total += intersectionCount(chunk: chunk, container: container)
            return true
        }) else { return nil }
        return total
    }

    /// Calls `body` with each container of an encoded set while it answers true;
    /// false when the bytes are not a set or `body` refused one.
    private static func forEachContainer(in bytes: ArraySlice<UInt8>, _ body: (Int64, ArraySlice<UInt8>) -> Bool) -> Bool {
        var index = bytes.startIndex
        while index < bytes.endIndex {
            guard bytes.endIndex - index >= 12 else { return false }
            let chunk = Int64(bitPattern: read(bytes, at: index, count: 8))
            let length = Int(read(bytes, at: index + 8, count: 4))
            let start = index + 12
            guard length <= containerBytes, bytes.endIndex - start >= length, body(chunk, bytes[start..<start + length]) else { return false }
            index = start + length
        }
        return true
    }

    private static func append(_ value: UInt64, bytes count: Int, to bytes: inout [UInt8]) {
        for shift in 0..<count { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift * 8))) }
    }

    private static func read(_ bytes: ArraySlice<UInt8>, at index: Int, count: Int) -> UInt64 {
        (0..<count).reduce(UInt64(0)) { $0 | UInt64(bytes[index + $1]) << UInt64($1 * 8) }
    }

    // MARK: - Private

    /// A container is 8,192 bytes of words or an array of at most `arrayLimit` lows.
    private static func isContainer(length: Int) -> Bool {
        length == containerBytes || (length % 2 == 0 && length / 2 <= arrayLimit)
    }

    static var emptyWords: [UInt64] { [UInt64](repeating: 0, count: wordsPerChunk) }

    private mutating func set(_ chunk: Int64, _ words: [UInt64]) {
        chunks[chunk] = words.allSatisfy { $0 == 0 } ? nil : words
    }

    private static func combine(_ left: [UInt64], _ right: [UInt64], _ operation: (UInt64, UInt64) -> UInt64) -> [UInt64] {
        var result = [UInt64](repeating: 0, count: wordsPerChunk)
        left.withUnsafeBufferPointer { left in
            right.withUnsafeBufferPointer { right in
                for index in 0..<wordsPerChunk { result[index] = operation(left[index], right[index]) }
            }
        }
        return result
    }
}
