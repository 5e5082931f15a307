import Foundation
import Testing
@testable import LabAtlasCore

@Suite struct PartialDateTests {
    @Test func parsesTheThreePrecisions() throws {
        let year = try #require(PartialDate("2019"))
        #expect(year.month == nil && year.day == nil)
        let month = try #require(PartialDate("2021-09"))
        #expect(month.month == 9 && month.day == nil)
        let day = try #require(PartialDate("2022-03-14"))
        #expect(day.day == 14)
        #expect(day.description == "2022-03-14")
    }

    @Test(arguments: ["", "19", "2021-13", "2021-02-30", "2021-9", "2021/09", "abcd", "2021-09-01T10:00", "२०२१"])
    func rejectsWhatIsNotADate(_ text: String) {
        #expect(PartialDate(text) == nil)
    }

    @Test func leapDaysAreHandled() {
        #expect(PartialDate("2024-02-29") != nil)
        #expect(PartialDate("2023-02-29") == nil)
        #expect(PartialDate("1900-02-29") == nil)
        #expect(PartialDate("2000-02-29") != nil)
    }

    @Test func frenchLabels() {
        #expect(PartialDate("2019")?.frenchLabel == "2019")
        #expect(PartialDate("2021-09")?.frenchLabel == "septembre 2021")
        #expect(PartialDate("2022-03-01")?.frenchLabel == "1er mars 2022")
        #expect(CalendarDate("2026-08-15")?.frenchLabel == "15 août 2026")
    }

    @Test func ordersByPrecision() throws {
        let dates = ["2021-09-14", "2019", "2021-09", "2021"].compactMap(PartialDate.init).sorted()
        #expect(dates.map(\.description) == ["2019", "2021", "2021-09", "2021-09-14"])
    }

    @Test func decodesAndEncodesAsString() throws {
        let decoded = try JSONDecoder().decode([PartialDate?].self, from: Data(#"["2021-09", 2018, null]"#.utf8))
        #expect(decoded.map { $0?.description } == ["2021-09", "2018", nil])
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(PartialDate.self, from: Data(#""2021-13""#.utf8)) }
        let encoded = try JSONEncoder().encode(PartialDate("2021-09"))
        #expect(String(decoding: encoded, as: UTF8.self) == #""2021-09""#)
    }

    @Test func parisTimeRoundTrips() throws {
        let winter = try #require(ParisTime.parse("2026-01-15T09:30:00+01:00"))
        #expect(ParisTime.iso8601(winter) == "2026-01-15T09:30:00+01:00")
        let summerUTC = try #require(ParisTime.parse("2026-07-01T07:00:00Z"))
        #expect(ParisTime.iso8601(summerUTC) == "2026-07-01T09:00:00+02:00")
        #expect(ParisTime.parse("2026-07-01T09:00+02:00") == summerUTC)
        #expect(ParisTime.parse("demain") == nil)
        #expect(ParisTime.timeLabel(winter) == "9 h 30")
        #expect(ParisTime.dayLabel(winter) == "jeudi 15 janvier 2026")
    }
}

@Suite struct StageHistoryTests {
    func entry(_ stage: Stage, _ date: String) -> StageEntry { StageEntry(stage: stage, since: CalendarDate(date)!) }

    @Test func ordersByDateKeepingSameDayOrder() {
        let history = [entry(.acceleration, "2024-05-01"), entry(.exploration, "2022-01-10"),
                       entry(.prototyping, "2023-03-01"), entry(.paused, "2024-05-01")]
        #expect(StageHistory.ordered(history).map(\.stage) == [.exploration, .prototyping, .acceleration, .paused])
        #expect(StageHistory.currentStage(of: history) == .paused)
    }

    @Test func stageOnADay() {
        let history = [entry(.exploration, "2022-01-10"), entry(.prototyping, "2023-03-01")]
        #expect(StageHistory.stage(on: CalendarDate("2021-12-31")!, in: history) == nil)
        #expect(StageHistory.stage(on: CalendarDate("2022-06-01")!, in: history) == .exploration)
        #expect(StageHistory.stage(on: CalendarDate("2023-03-01")!, in: history) == .prototyping)
    }

    @Test func currentStageMustMatchHistory() {
        var project = ProjectDTO(title: "Cantines")
        project.stageHistory = [entry(.exploration, "2022-01-10"), entry(.prototyping, "2023-03-01")]
        project.stage = .exploration
        #expect(project.validate().map(\.field) == ["stage"])
        project.stage = .prototyping
        #expect(project.validate().isEmpty)
        project.stage = nil
        #expect(project.validate().isEmpty)
        project.stageHistory = []
        #expect(project.validate().map(\.field) == ["stage"])
    }

    @Test func aStageAloneStartsTheHistoryToday() {
        var project = ProjectDTO(title: "Cantines")
        project.stage = .exploration
        let today = CalendarDate("2026-11-23")!
        #expect(project.normalisedStageHistory(today: today) == [StageEntry(stage: .exploration, since: today)])
    }
}
