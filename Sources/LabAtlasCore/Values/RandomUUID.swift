import Foundation

extension UUID {
    /// A random (version 4) UUID from the system's generator.
    ///
    /// Foundation's `UUID()` opens, reads and closes `/dev/urandom` at each
    /// call on Linux; the system generator asks the kernel once (`getrandom`),
    /// without a file. A save makes one for each row it writes (the item, its
    /// links, its facet rows, its revision): the opens were 3 % of the
    /// writer's event loop in a write-only run.
    public static func random() -> UUID {
        var generator = SystemRandomNumberGenerator()
        var bytes: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &bytes) { raw in
            raw.storeBytes(of: generator.next() as UInt64, toByteOffset: 0, as: UInt64.self)
            raw.storeBytes(of: generator.next() as UInt64, toByteOffset: 8, as: UInt64.self)
            raw[6] = (raw[6] & 0x0F) | 0x40  // version 4
            raw[8] = (raw[8] & 0x3F) | 0x80  // RFC 4122 variant
        }
        return UUID(uuid: bytes)
    }
}
