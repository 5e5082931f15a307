import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// File operations that survive a crash: a backup or a restored database is
/// flushed to the disk before it takes its final name, and the rename itself
/// is flushed by syncing the directory that holds it.
enum DurableFile {
    static func absolutePath(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.path
    }

    static func directory(of path: String) -> String {
        URL(fileURLWithPath: path).deletingLastPathComponent().path
    }

    static func exists(_ path: String) -> Bool {
        FileManager.default.fileExists(atPath: path)
    }

    static func size(_ path: String) -> Int64 {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.int64Value ?? 0
    }

    /// A name next to `path` that no other run uses, hidden so nobody takes it for a finished file.
    static func temporarySibling(of path: String, purpose: String) -> String {
        let url = URL(fileURLWithPath: path)
        let token = UUID().uuidString.prefix(8).lowercased()
        return url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(purpose)-\(token)").path
    }

    /// `20261201T054628Z`: sorts by time and needs no quoting in a shell.
    static func utcTimestamp(_ date: Date = Date()) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return formatter.string(from: date)
    }

    /// Flushes a file's (or a directory's) contents to the disk.
    static func sync(_ path: String) throws {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw DurableFileError("cannot open \(path) to flush it", errno) }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw DurableFileError("cannot flush \(path) to the disk", errno) }
    }

    /// Gives `source` the name `destination` in one step, replacing what was
    /// there: a reader sees the old file or the new one, never a half-written one.
    static func replace(_ destination: String, with source: String) throws {
        guard rename(source, destination) == 0 else {
            throw DurableFileError("cannot rename \(source) to \(destination)", errno)
        }
        try sync(directory(of: destination))
    }

    /// A second name for the same file (no copy); a copy where hard links are not possible.
    static func keep(_ path: String, as keptPath: String) throws {
        if link(path, keptPath) != 0 {
            try FileManager.default.copyItem(atPath: path, toPath: keptPath)
            try sync(keptPath)
        }
        try sync(directory(of: keptPath))
    }

    /// Writes `file` whole or not at all: `produce` fills a temporary sibling,
    /// which is then flushed and renamed into place; on any failure it is removed
    /// and the failure said as a `CommandFailure`. Returns the file's size.
    static func writeWhole(_ file: String, _ produce: (String) async throws -> Void) async throws -> Int64 {
        let partial = temporarySibling(of: file, purpose: "partial")
        do {
            try await produce(partial)
            try sync(partial)
            try replace(file, with: partial)
        } catch {
            removeIfPresent(partial)
            if error is CommandFailure { throw error }
            throw CommandFailure("backup: cannot write \(file): \(error)")
        }
        return size(file)
    }

    /// Removes files that may or may not be there.
    static func removeIfPresent(_ paths: String...) {
        for path in paths where exists(path) { try? FileManager.default.removeItem(atPath: path) }
    }
}

struct DurableFileError: Error, CustomStringConvertible {
    let description: String
    init(_ what: String, _ code: Int32) {
        description = "\(what): \(String(cString: strerror(code)))"
    }
}
