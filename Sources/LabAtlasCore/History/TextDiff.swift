/// One line of a diff: kept, added by the newer text, or removed from the older one.
public struct DiffLine: Hashable, Sendable, Codable {
    /// The raw values double as CSS class names on the history page.
    public enum Kind: String, Codable, Sendable {
        case same, added, removed
    }

    public var kind: Kind
    public var text: String

    public init(kind: Kind, text: String) {
        self.kind = kind
        self.text = text
    }
}

/// A line-based diff (Myers' O((N+M)·D) algorithm in linear space), for comparing
/// two revisions of a long text field such as a summary.
public enum TextDiff {
    /// Beyond this many differing lines on either side the texts are shown as wholly
    /// replaced: a line-by-line comparison would cost more than it helps to read.
    public static let defaultMaxLines = 4_000

    /// Diffs two texts line by line. An empty text has no lines at all, so
    /// "" against "a" is a single added line rather than a replaced empty line.
    public static func compare(old: String, new: String, maxLines: Int = defaultMaxLines) -> [DiffLine] {
        compare(oldLines: lines(of: old), newLines: lines(of: new), maxLines: maxLines)
    }

    /// Diffs two lists of lines. In each block of changes the removed lines come
    /// before the added ones, so a replacement reads as "before" then "after".
    public static func compare(oldLines: [String], newLines: [String], maxLines: Int = defaultMaxLines) -> [DiffLine] {
        // Lines become integers so the inner loop compares numbers, not strings.
        var ids: [String: Int] = [:]
        func id(of line: String) -> Int {
            if let known = ids[line] { return known }
            let next = ids.count
            ids[line] = next
            return next
        }
        let old = oldLines.map(id(of:))
        let new = newLines.map(id(of:))

        // The common start and end cost nothing to find, and an edit to a huge text
        // is usually local: only the part in between is subject to the cap.
        let prefix = zip(old, new).prefix { $0 == $1 }.count
        var suffix = 0
        while suffix < old.count - prefix, suffix < new.count - prefix,
              old[old.count - 1 - suffix] == new[new.count - 1 - suffix] {
            suffix += 1
        }
        let oldMiddle = prefix..<(old.count - suffix)
        let newMiddle = prefix..<(new.count - suffix)

        var edits: [Edit] = []
        edits.reserveCapacity(old.count + new.count)
        edits += Array(repeating: .same, count: prefix)
        if oldMiddle.count > maxLines || newMiddle.count > maxLines {
            edits += Array(repeating: .removed, count: oldMiddle.count)
            edits += Array(repeating: .added, count: newMiddle.count)
        } else {
            var differ = Differ(old: old, new: new)
            differ.diff(oldMiddle, newMiddle)
            edits += differ.edits
        }
        edits += Array(repeating: .same, count: suffix)

        return render(edits, oldLines: oldLines, newLines: newLines)
    }

    /// Splits on any line break ("\n", "\r\n", "\r"…); an empty text has no lines.
    static func lines(of text: String) -> [String] {
        text.isEmpty ? [] : text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map(String.init)
    }

    enum Edit { case same, added, removed }

    /// Turns the edit script into lines, putting each block's removals before its additions.
    private static func render(_ edits: [Edit], oldLines: [String], newLines: [String]) -> [DiffLine] {
        var result: [DiffLine] = []
        result.reserveCapacity(edits.count)
        var oldIndex = 0, newIndex = 0
        var added: [DiffLine] = []
        for edit in edits {
            switch edit {
            case .same:
                result += added
                added.removeAll(keepingCapacity: true)
                result.append(DiffLine(kind: .same, text: oldLines[oldIndex]))
                oldIndex += 1
                newIndex += 1
            case .removed:
                result.append(DiffLine(kind: .removed, text: oldLines[oldIndex]))
                oldIndex += 1
            case .added:
                added.append(DiffLine(kind: .added, text: newLines[newIndex]))
                newIndex += 1
            }
        }
        return result + added
    }
}

/// Myers' divide-and-conquer diff: find a point on a shortest edit path by running
/// the search from both ends until they meet, then diff each half. Memory stays
/// linear in the number of lines, whereas keeping the whole search trace would not.
private struct Differ {
    let old: [Int]
    let new: [Int]
    var edits: [TextDiff.Edit] = []

    init(old: [Int], new: [Int]) {
        self.old = old
        self.new = new
    }

    mutating func diff(_ oldRange: Range<Int>, _ newRange: Range<Int>) {
        var oldStart = oldRange.lowerBound, oldEnd = oldRange.upperBound
        var newStart = newRange.lowerBound, newEnd = newRange.upperBound
        var prefix = 0
        while oldStart < oldEnd, newStart < newEnd, old[oldStart] == new[newStart] {
            oldStart += 1
            newStart += 1
            prefix += 1
        }
        var suffix = 0
        while oldStart < oldEnd, newStart < newEnd, old[oldEnd - 1] == new[newEnd - 1] {
            oldEnd -= 1
            newEnd -= 1
            suffix += 1
        }
        edits += Array(repeating: .same, count: prefix)
        if oldStart == oldEnd {
            edits += Array(repeating: .added, count: newEnd - newStart)
        } else if newStart == newEnd {
            edits += Array(repeating: .removed, count: oldEnd - oldStart)
        } else if shareALine(oldStart..<oldEnd, newStart..<newEnd),
                  let (x, y) = split(oldStart..<oldEnd, newStart..<newEnd) {
            diff(oldStart..<x, newStart..<y)
            diff(x..<oldEnd, y..<newEnd)
        } else {
            edits += Array(repeating: .removed, count: oldEnd - oldStart)
            edits += Array(repeating: .added, count: newEnd - newStart)
        }
        edits += Array(repeating: .same, count: suffix)
    }

    /// A rewritten text shares no line with the old one, and the search would then
    /// explore every diagonal before giving up: checking first makes that case linear.
    private func shareALine(_ oldRange: Range<Int>, _ newRange: Range<Int>) -> Bool {
        let oldIDs = Set(old[oldRange])
        return new[newRange].contains(where: oldIDs.contains)
    }

    /// A point (old index, new index) on a shortest edit path between the two ranges,
    /// or nil when they have nothing in common. Same search as diff-match-patch's
    /// "bisect": `forward[k]` / `backward[k]` hold the furthest x reached on diagonal k.
    private func split(_ oldRange: Range<Int>, _ newRange: Range<Int>) -> (Int, Int)? {
        let n = oldRange.count, m = newRange.count
        let a = oldRange.lowerBound, b = newRange.lowerBound
        let maxD = (n + m + 1) / 2
        let offset = maxD
        let size = 2 * maxD + 2
        var forward = [Int](repeating: -1, count: size)
        var backward = [Int](repeating: -1, count: size)
        forward[offset + 1] = 0
        backward[offset + 1] = 0
        let delta = n - m
        // When delta is odd the paths can only meet during a forward step, otherwise during a backward one.
        let meetsGoingForward = delta % 2 != 0
        // Diagonals that ran off the grid are not explored again.
        var forwardStartTrim = 0, forwardEndTrim = 0, backwardStartTrim = 0, backwardEndTrim = 0

        for d in 0..<maxD {
            for k in stride(from: -d + forwardStartTrim, through: d - forwardEndTrim, by: 2) {
                let index = offset + k
                var x = (k == -d || (k != d && forward[index - 1] < forward[index + 1])) ? forward[index + 1] : forward[index - 1] + 1
                var y = x - k
                while x < n, y < m, old[a + x] == new[b + y] {
                    x += 1
                    y += 1
                }
                forward[index] = x
                if x > n {
                    forwardEndTrim += 2
                } else if y > m {
                    forwardStartTrim += 2
                } else if meetsGoingForward {
                    let other = offset + delta - k
                    if other >= 0, other < size, backward[other] != -1, x >= n - backward[other] {
                        return (a + x, b + y)
                    }
                }
            }
            for k in stride(from: -d + backwardStartTrim, through: d - backwardEndTrim, by: 2) {
                let index = offset + k
                var x = (k == -d || (k != d && backward[index - 1] < backward[index + 1])) ? backward[index + 1] : backward[index - 1] + 1
                var y = x - k
                while x < n, y < m, old[a + n - 1 - x] == new[b + m - 1 - y] {
                    x += 1
                    y += 1
                }
                backward[index] = x
                if x > n {
                    backwardEndTrim += 2
                } else if y > m {
                    backwardStartTrim += 2
                } else if !meetsGoingForward {
                    let other = offset + delta - k
                    if other >= 0, other < size, forward[other] != -1 {
                        let forwardX = forward[other]
                        let forwardY = forwardX - (other - offset)
                        if forwardX >= n - x {
                            return (a + forwardX, b + forwardY)
                        }
                    }
                }
            }
        }
        return nil
    }
}
