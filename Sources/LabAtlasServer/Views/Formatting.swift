import Foundation
import LabAtlasCore

/// French formatting of numbers and counts for pages.
enum French {
    /// "1 234" with a narrow no-break space, as French typography wants.
    static func number(_ value: Int) -> String {
        let digits = String(abs(value))
        var grouped = ""
        for (index, character) in digits.reversed().enumerated() {
            if index > 0, index % 3 == 0 { grouped.append("\u{202F}") }
            grouped.append(character)
        }
        return (value < 0 ? "-" : "") + String(grouped.reversed())
    }

    /// "1 lab", "12 labs": the noun agrees with the count.
    static func count(_ value: Int, _ singular: String, _ plural: String) -> String {
        "\(number(value)) \(value > 1 ? plural : singular)"
    }

    static func date(_ date: Date?) -> String? {
        date.map { ParisTime.calendarDate($0).frenchLabel }
    }

    static func themeLabel(_ value: String) -> String { Theme(rawValue: value)?.label ?? value }
    static func serviceLabel(_ value: String) -> String { Service(rawValue: value)?.label ?? value }

    static func tone(of maturity: Maturity?) -> String {
        switch maturity {
        case .active: "positive"
        case .building, .preparing: "info"
        case .paused: "warning"
        case .closed: "negative"
        case nil: "neutral"
        }
    }

    static func tone(of stage: Stage) -> String {
        switch stage {
        case .completed, .deployment: "positive"
        case .exploration, .prototyping, .acceleration: "info"
        case .paused: "warning"
        case .abandoned: "negative"
        }
    }

    static func tone(of status: EventStatus) -> String {
        switch status {
        case .scheduled: "neutral"
        case .rescheduled, .postponed, .movedOnline: "warning"
        case .full: "info"
        case .cancelled: "negative"
        }
    }

    static func tone(of outcome: DecisionOutcome) -> String {
        switch outcome {
        case .continue: "info"
        case .scale: "positive"
        case .pivot: "warning"
        case .stop: "negative"
        }
    }
}
