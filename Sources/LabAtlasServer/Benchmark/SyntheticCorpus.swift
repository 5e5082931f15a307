import Foundation
import LabAtlasCore

/// Words drawn with Zipf frequencies, as in real text: a few very common, a long tail.
struct ZipfPool {
    let words: [String]
    private let cumulative: [Double]

    init(words: [String], exponent: Double) {
        self.words = words
        var total = 0.0
        cumulative = words.indices.map { rank in
            total += 1.0 / pow(Double(rank + 1), exponent)
            return total
        }
    }

    func draw(_ generator: inout SplitMix64) -> String {
        let target = Double.random(in: 0..<(cumulative.last ?? 1), using: &generator)
        var low = 0, high = cumulative.count - 1
        while low < high {
            let middle = (low + high) / 2
            if cumulative[middle] < target { low = middle + 1 } else { high = middle }
        }
        return words[low]
    }
}

/// French text for labs, projects, experiences and sessions, built from the
/// vocabulary of public innovation (Zipf-distributed) and a long tail of
/// general French words, with the stop words and elisions of real prose.
struct SyntheticCorpus {
    let domain: ZipfPool
    let general: ZipfPool
    static let glue = ["de la", "des", "pour les", "avec les", "dans le", "et", "sur la", "par les", "auprès des", "de l'", "à la", "du", "en lien avec", "pour"]

    /// Stop words aside, no content word is everywhere in real prose: the most
    /// frequent ones hold well under 1 % of the words. The exponents and the
    /// share of the domain vocabulary are set so that the commonest domain word
    /// is in about a quarter of the documents and a typical one in a few percent.
    init(generalWords: [String]) {
        domain = ZipfPool(words: Self.domainWords, exponent: 0.5)
        let filtered = generalWords.filter { $0.count >= 4 && !FrenchAnalyzer.isStopWord($0) }
        general = ZipfPool(words: filtered.isEmpty ? Self.domainWords : filtered, exponent: 0.7)
    }

    func word(_ generator: inout SplitMix64) -> String {
        Double.random(in: 0..<1, using: &generator) < 0.15 ? domain.draw(&generator) : general.draw(&generator)
    }

    func title(_ generator: inout SplitMix64) -> String {
        words(&generator, count: 3...7, glue: 0.4)
    }

    func sentence(_ generator: inout SplitMix64) -> String {
        words(&generator, count: 7...16, glue: 0.55) + "."
    }

    /// Content words, with "de la", "pour les"… between some of them.
    private func words(_ generator: inout SplitMix64, count range: ClosedRange<Int>, glue probability: Double) -> String {
        let count = Int.random(in: range, using: &generator)
        var words: [String] = []
        for index in 0..<count {
            words.append(word(&generator))
            if index < count - 1, Double.random(in: 0..<1, using: &generator) < probability {
                words.append(Self.glue.randomElement(using: &generator) ?? "de")
            }
        }
        return words.joined(separator: " ").replacingOccurrences(of: "' ", with: "'").capitalizedFirst
    }

    func paragraph(_ generator: inout SplitMix64, sentences: ClosedRange<Int>) -> String {
        (0..<Int.random(in: sentences, using: &generator)).map { _ in sentence(&generator) }.joined(separator: " ")
    }

    /// The vocabulary of the field, most frequent first.
    static let domainWords: [String] = """
        projet usagers accompagnement atelier démarche innovation publique agents service expérimentation \
        prototype design politique territoire collectivité administration équipe lab méthode citoyens \
        participation numérique mobilité inclusion formation enseignants élèves établissement académie \
        transformation parcours besoin enquête immersion entretiens observation idéation test itération \
        restitution comité pilotage déploiement exploration conception évaluation impact coopération \
        partenaires région département commune préfecture ministère santé social emploi logement \
        transition écologique énergie alimentation agriculture jeunesse handicap accessibilité seniors \
        simplification formulaire démarches guichet accueil relation usager données ouverture \
        plateforme application outil interface maquette scénario persona cartographie frise \
        facilitation animation séminaire webinaire rencontre communauté réseau essaimage capitalisation \
        retour expérience apprentissage réussite difficulté conseil vigilance calendrier budget \
        financement appel fonds subvention marché achat commande prestataire compétences culture \
        management organisation travail bureau espace tiers-lieu fablab médiathèque bibliothèque \
        école collège lycée université recherche laboratoire étudiants parents familles enfants \
        quartier ville campagne ruralité montagne littoral outre-mer insularité mobilités visières \
        covoiturage transport vélo bus trajet déplacement stationnement sécurité routière \
        environnement biodiversité eau déchets recyclage sobriété climat adaptation canicule \
        prévention risques crise urgence résilience solidarité précarité pauvreté isolement \
        illectronisme médiation conseillers france-services aidants bénévoles associations \
        entreprises artisans commerçants tourisme patrimoine culturel musée spectacle sport \
        fonctionnaires encadrants directeurs cadres managers stagiaires apprentis recrutement \
        attractivité métiers qualité vie bien-être télétravail collectif collaboration intelligence \
        questionnaire sondage atelier-flash hackathon sprint marathon créatif idées propositions \
        feuille route stratégie gouvernance charte convention cahier charges indicateurs tableau bord \
        rapport bilan synthèse livrable recommandations préconisations plan action priorités \
        lisibilité courriers langage clair rédaction information communication affichage signalétique \
        orientation rendez-vous délais attente file dématérialisation téléprocédure identité \
        justice tribunal prison probation police gendarmerie pompiers secours armée défense \
        douane impôts finances comptabilité paie retraite allocations prestations aides droits \
        non-recours ouverture droits simulation éligibilité dossier pièces justificatives
        """.split(whereSeparator: \.isWhitespace).map(String.init)
}

extension String {
    var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }
}
