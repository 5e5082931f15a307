import Testing
@testable import LabAtlasCore

@Suite struct PostingBitmapTests {
    /// A reproducible scatter of sequences over several chunks, dense and sparse.
    static func sequences(seed: UInt64, count: Int, spread: Int64) -> [Int64] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return 1 + Int64((state >> 17) % UInt64(spread))
        }
    }

    @Test func setOperationsAgreeWithSets() {
        let left = Self.sequences(seed: 1, count: 30_000, spread: 300_000)
        let right = Self.sequences(seed: 2, count: 2_000, spread: 300_000) + left.prefix(500)
        let a = PostingBitmap(left), b = PostingBitmap(right)
        let setA = Set(left), setB = Set(right)
        #expect(a.count == setA.count)
        #expect(a.intersection(b).count == setA.intersection(setB).count)
        #expect(a.union(b).count == setA.union(setB).count)
        #expect(a.subtracting(b).count == setA.subtracting(setB).count)
        #expect(b.subtracting(a).count == setB.subtracting(setA).count)
        #expect(a.intersection(b).highest(100_000).sorted() == setA.intersection(setB).sorted())
        for sequence in right.prefix(50) { #expect(b.contains(sequence)) }
    }

    /// Counting against a stored container, in either form, equals expanding it first.
    @Test func countingAgainstAStoredContainer() {
        let matches = PostingBitmap(Self.sequences(seed: 5, count: 20_000, spread: 65_536).map { $0 & 0xFFFF })
        for population in [3, 900, 30_000] {
            let other = PostingBitmap(Self.sequences(seed: UInt64(population), count: population, spread: 65_536).map { $0 & 0xFFFF })
            let stored = other.containers[0]
            #expect(matches.intersectionCount(chunk: stored.chunk, container: stored.bytes[...]) == matches.intersectionCount(other))
            #expect(matches.intersectionCount(chunk: stored.chunk + 1, container: stored.bytes[...]) == 0)
        }
    }

    @Test func highestIsNewestFirstAcrossChunks() {
        let sequences: [Int64] = [3, 65_535, 65_536, 70_000, 1 << 20, (1 << 20) + 1]
        let bitmap = PostingBitmap(sequences)
        #expect(bitmap.highest(4) == [(1 << 20) + 1, 1 << 20, 70_000, 65_536])
        #expect(bitmap.highest(100) == sequences.sorted(by: >))
        #expect(bitmap.highest(0).isEmpty)
    }

    /// Both container forms, and the boundary between them, read back exactly.
    @Test func containersRoundTrip() {
        for population in [1, 17, PostingBitmap.arrayLimit, PostingBitmap.arrayLimit + 1, 40_000] {
            let bitmap = PostingBitmap(Self.sequences(seed: UInt64(population), count: population * 3, spread: 65_536)
                .map { $0 & 0xFFFF }.uniqued().prefix(population))
            #expect(bitmap.count == population)
            let stored = bitmap.containers
            #expect(stored.count == 1)
            #expect(stored[0].bytes.count == (population > PostingBitmap.arrayLimit ? 8_192 : population * 2))
            var read = PostingBitmap()
            let added = read.add(chunk: stored[0].chunk, container: stored[0].bytes)
            #expect(added)
            #expect(read == bitmap, "population \(population)")
        }
    }

    /// A whole set as one value, and counting against it in place.
    @Test func encodedSetsRoundTripAndCount() throws {
        let set = PostingBitmap(Self.sequences(seed: 9, count: 50_000, spread: 400_000) + [1 << 40])
        let read = try #require(PostingBitmap(encoded: set.encoded))
        #expect(read == set)
        let matches = PostingBitmap(Self.sequences(seed: 10, count: 30_000, spread: 400_000))
        #expect(matches.intersectionCount(encoded: set.encoded[...]) == matches.intersectionCount(set))
        #expect(PostingBitmap(encoded: []) == PostingBitmap())
        #expect(PostingBitmap(encoded: Array(set.encoded.dropLast())) == nil)
        #expect(matches.intersectionCount(encoded: set.encoded.dropLast(3)) == nil)
    }

    @Test func removingTheLastSequenceOfAChunkDropsIt() {
        var bitmap = PostingBitmap([5, 100_000])
        bitmap.remove(100_000)
        #expect(bitmap.chunks.count == 1)
        bitmap.remove(5)
        #expect(bitmap.isEmpty)
        #expect(bitmap.containers.isEmpty)
    }

    @Test func malformedContainersAreRefused() {
        var bitmap = PostingBitmap()
        let odd = bitmap.add(chunk: 0, container: [1, 2, 3])
        let tooLong = bitmap.add(chunk: 0, container: [UInt8](repeating: 1, count: 8_194))
        #expect(!odd && !tooLong)
        #expect(bitmap.isEmpty)
    }
}

private extension Sequence where Element: Hashable {
    func uniqued() -> [Element] {
        var seen = Set<Element>()
        return filter { seen.insert($0).inserted }
    }
}
