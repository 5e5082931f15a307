import Testing
@testable import LabAtlasCore

@Suite struct VocabularyTests {
    @Test func keysAndLabelsBothParse() {
        #expect(Theme.parse("pedagogique") == .pedagogique)
        #expect(Theme.parse("Innovation pédagogique") == .pedagogique)
        #expect(Theme.parse("PÉDAGOGIQUE") == .pedagogique)
        #expect(Theme.parse("Innovation d'usages") == .usages)
        #expect(Theme.parse("innovation d’usages") == .usages)
        #expect(Maturity.parse("En préfiguration") == .preparing)
        #expect(Maturity.parse("actif, fonctionnel") == .active)
        #expect(GovernmentLevel.parse("Collectivité territoriale") == .localAuthority)
        #expect(GovernmentLevel.parse("local_authority") == .localAuthority)
        #expect(Service.parse("Accompagnement de labs locaux") == .localLabs)
        #expect(Stage.parse("Terminé") == .completed)
    }

    /// The table `parse` reads gives what looking through the cases in order
    /// would: every key and label of a vocabulary names its first case that
    /// normalises alike, however it is written.
    @Test func parsingFindsTheFirstCaseNamedSo() {
        func check<V: Vocabulary>(_ vocabulary: V.Type) {
            for candidate in V.allCases {
                for name in [candidate.rawValue, candidate.label, candidate.label.uppercased(), "  " + candidate.rawValue + " "] {
                    let wanted = VocabularyMatching.normalise(name)
                    let first = V.allCases.first {
                        VocabularyMatching.normalise($0.rawValue) == wanted || VocabularyMatching.normalise($0.label) == wanted
                    }
                    #expect(V.parse(name) == first, "\(V.self): \(name)")
                    #expect(first != nil, "\(V.self): \(name)")
                }
            }
        }
        check(Visibility.self); check(Theme.self); check(Service.self); check(Maturity.self); check(Stage.self)
        check(GovernmentLevel.self); check(DecisionKind.self); check(DecisionOutcome.self); check(TeamRole.self)
        check(Cooperation.self); check(Audience.self); check(SessionNature.self); check(AccompanimentLevel.self)
        check(SessionFormat.self); check(Attendance.self); check(EventStatus.self); check(MethodCategory.self)
        check(ItemType.self); check(NetworkRole.self); check(TeamAccess.self); check(RevisionAction.self)
    }

    @Test func unknownValuesDoNotParse() {
        #expect(Maturity.parse("nonsense") == nil)
        #expect(Theme.parse("") == nil)
        #expect(Stage.parse("innovation") == nil)
    }

    @Test func contractKeysAreStable() {
        #expect(Maturity.allCases.map(\.rawValue) == ["preparing", "building", "active", "paused", "closed"])
        #expect(Stage.allCases.map(\.rawValue) == ["exploration", "prototyping", "acceleration", "deployment", "completed", "paused", "abandoned"])
        #expect(GovernmentLevel.allCases.map(\.rawValue) == ["central", "deconcentrated", "academie", "local_authority", "operator", "other"])
        #expect(Theme.allCases.map(\.rawValue) == ["pedagogique", "organisationnelle", "usages", "technologique", "sociale", "numerique", "formation"])
        #expect(Service.allCases.map(\.rawValue) == ["coaching", "funding", "incubation", "sessions", "acculturation", "community", "connections", "local_labs", "promotion"])
        #expect(SessionNature.allCases.map(\.rawValue) == ["lab_support", "project", "valorisation", "acculturation", "seminar", "steering", "other"])
        #expect(EventStatus.allCases.map(\.rawValue) == ["scheduled", "rescheduled", "moved_online", "postponed", "full", "cancelled"])
    }

    @Test func everyValueHasAFrenchLabel() {
        let labels = Maturity.allCases.map(\.label) + Stage.allCases.map(\.label) + Theme.allCases.map(\.label)
            + GovernmentLevel.allCases.map(\.label) + Service.allCases.map(\.label) + SessionNature.allCases.map(\.label)
            + EventStatus.allCases.map(\.label) + MethodCategory.allCases.map(\.label) + Attendance.allCases.map(\.label)
        #expect(labels.allSatisfy { !$0.isEmpty })
        #expect(Maturity.active.label == "Actif, fonctionnel")
        #expect(Theme.formation.label == "Formation et développement professionnel")
    }

    @Test func regionsAreCanonicalised() {
        #expect(FrenchRegions.canonicalName("ile de france") == "Île-de-France")
        #expect(FrenchRegions.canonicalName("La Réunion") == "La Réunion")
        #expect(FrenchRegions.canonicalName("Atlantis") == nil)
        #expect(FrenchRegions.all.count == 18)
        #expect(FrenchRegions.isOverseas("Guyane"))
    }

    @Test func slugsAreFoldedAndSafe() {
        #expect(TextFolding.slug("Lab'Éduc Lyon — lab de l'académie") == "lab-educ-lyon-lab-de-l-academie")
        #expect(TextFolding.slug("Œuvre & cœur") == "oeuvre-coeur")
        #expect(TextFolding.slug("!!!") == "element")
        #expect(TextFolding.isValidSlug("lab-educ-lyon"))
        #expect(!TextFolding.isValidSlug("Lab Educ"))
        #expect(!TextFolding.isValidSlug("-x"))
        #expect(TextFolding.fold("Mobilités Visières ÇA") == "mobilites visieres ca")
    }
}
