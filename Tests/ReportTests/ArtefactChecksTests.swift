@testable import Attacks
import Engine
import XCTest
@testable import Report

/// The checks of `probe reproduce --check` fail on the artefacts they are there to catch.
final class ArtefactChecksTests: XCTestCase {
    /// An FGSM file of two 4-pixel examples at ε = 0.1 made from `clean`.
    private func fgsm(_ adversarial: [Float], distortion: [Float], method: String = "fgsm") -> AttackFile.Contents {
        AttackFile.Contents(
            path: "a.h5", method: method, modelSHA256: "", modelArchitecture: "fc10", dataset: "d", split: .test, indices: [0, 1], labels: [0, 1],
            epsilons: [0.1], adversarial: [Tensor(shape: [2, 4], scalars: adversarial)], distortion: [distortion])
    }

    private let clean = Tensor(shape: [2, 4], scalars: [0.5, 0.5, 0.5, 0.5, 0, 0, 1, 1])

    private func rms(_ a: [Float], _ b: [Float]) -> Float { (zip(a, b).map { ($0 - $1) * ($0 - $1) }.reduce(0, +) / Float(a.count)).squareRoot() }

    func testSoundFGSMExamplesPassEveryCheck() {
        let adversarial: [Float] = [0.6, 0.4, 0.6, 0.4, 0.1, 0, 0.9, 1]
        let d = [rms(Array(adversarial[0..<4]), [0.5, 0.5, 0.5, 0.5]), rms(Array(adversarial[4..<8]), [0, 0, 1, 1])]
        let checks = ArtefactChecks.attack(fgsm(adversarial, distortion: d), clean: clean)
        XCTAssertEqual(checks.count, 3)
        XCTAssertTrue(checks.allSatisfy(\.passed), checks.map(\.detail).joined(separator: "; "))
    }

    func testAPixelOutsideTheBoxFails() {
        let adversarial: [Float] = [0.6, 0.4, 0.6, 0.4, -0.1, 0, 0.9, 1]
        let d = [rms(Array(adversarial[0..<4]), [0.5, 0.5, 0.5, 0.5]), rms(Array(adversarial[4..<8]), [0, 0, 1, 1])]
        let checks = ArtefactChecks.attack(fgsm(adversarial, distortion: d), clean: clean)
        XCTAssertFalse(checks[0].passed)
    }

    func testAPerturbationBeyondEpsilonFailsForFGSMButNotForNoise() {
        let adversarial: [Float] = [0.8, 0.4, 0.6, 0.4, 0.1, 0, 0.9, 1]
        let d = [rms(Array(adversarial[0..<4]), [0.5, 0.5, 0.5, 0.5]), rms(Array(adversarial[4..<8]), [0, 0, 1, 1])]
        XCTAssertFalse(ArtefactChecks.attack(fgsm(adversarial, distortion: d), clean: clean)[1].passed)
        XCTAssertTrue(ArtefactChecks.attack(fgsm(adversarial, distortion: d, method: "noise"), clean: clean).allSatisfy(\.passed))
    }

    func testAStoredDistortionThatIsNotTheImagesFails() {
        let adversarial: [Float] = [0.6, 0.4, 0.6, 0.4, 0.1, 0, 0.9, 1]
        let checks = ArtefactChecks.attack(fgsm(adversarial, distortion: [0.1, 0.2]), clean: clean)
        XCTAssertFalse(checks[2].passed)
    }
}
