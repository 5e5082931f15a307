import Foundation
import Testing
@testable import LabAtlasCore

@Suite struct ValidationTests {
    @Test func aLabNeedsANameAndSaneFields() {
        var lab = LabDTO(name: "  ")
        lab.region = "Atlantis"
        lab.postalCode = "7500"
        lab.latitude = 95
        lab.website = "javascript:alert(1)"
        let fields = Set(lab.validate().map(\.field))
        #expect(fields == ["name", "region", "postal_code", "latitude", "longitude", "website"])
        #expect(lab.validate().allSatisfy { !$0.message.isEmpty })
    }

    @Test func aGoodLabIsValid() {
        var lab = LabDTO(name: "Lab'Éduc Lyon")
        lab.region = "auvergne-rhone-alpes"
        lab.postalCode = "69003"
        lab.latitude = 45.76
        lab.longitude = 4.85
        lab.website = "https://lab.example.fr"
        lab.contact = "lab@example.fr"
        #expect(lab.validate().isEmpty)
    }

    @Test func eventEndMustFollowBegin() throws {
        var event = EventDTO(title: "Séminaire")
        #expect(event.validate().map(\.field) == ["timings"])
        let begin = try #require(ParisTime.parse("2026-03-12T09:30:00+01:00"))
        event.timings = [Timing(begin: begin, end: begin.addingTimeInterval(-60))]
        #expect(event.validate().first?.message == "La date de fin doit suivre la date de début.")
        event.timings = [Timing(begin: begin, end: begin.addingTimeInterval(3600))]
        #expect(event.validate().isEmpty)
        event.attendance = .online
        #expect(event.validate().map(\.field) == ["online_url"])
    }

    @Test func sessionRules() {
        var session = SessionDTO(title: "Atelier")
        session.level = 4
        session.participants = -1
        #expect(Set(session.validate().map(\.field)) == ["date", "lab", "level", "participants"])
    }

    @Test func dtosDecodeWithMissingListsAndBadVocabularyFails() throws {
        let lab = try JSONDecoder().decode(LabDTO.self, from: Data(#"{"name": "Lab", "maturity": "active"}"#.utf8))
        #expect(lab.themes.isEmpty && lab.networks.isEmpty && lab.extra.isEmpty)
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(LabDTO.self, from: Data(#"{"name": "Lab", "maturity": "nonsense"}"#.utf8))
        }
    }

    @Test func dtoFieldNamesFollowTheContract() throws {
        var lab = LabDTO(name: "Lab")
        lab.hostOrganisation = "Rectorat"
        lab.governmentLevel = .academie
        lab.launchDate = PartialDate("2021-09")
        lab.postalCode = "69003"
        let json = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(lab)) as? [String: Any])
        for key in ["host_organisation", "government_level", "launch_date", "postal_code", "themes", "services", "networks", "extra"] {
            #expect(json[key] != nil, "missing \(key)")
        }
        #expect(json["launch_date"] as? String == "2021-09")
    }
}
