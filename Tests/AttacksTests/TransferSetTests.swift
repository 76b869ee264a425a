import XCTest
@testable import Attacks
@testable import Engine

/// The rows of a transfer matrix: one per run of an attack file, named for it, amplified on request.
final class TransferSetTests: XCTestCase {
    private func contents() -> AttackFile.Contents {
        let clean = Tensor(shape: [2, 4], scalars: [0.5, 0.5, 0.5, 0.5, 0.2, 0.2, 0.2, 0.2])
        let adversarial = Tensor(shape: [2, 4], scalars: [0.6, 0.4, 0.6, 0.4, 0.2, 0.2, 0.2, 0.25])
        return AttackFile.Contents(
            path: "/runs/fgsm.h5", method: "fgsm", modelSHA256: "", modelArchitecture: "fc4", dataset: "d", split: .test, indices: [0, 1],
            labels: [1, 0], epsilons: [0.1, 0.25], adversarial: [adversarial, clean], distortion: [[0.1, 0.025], [0, 0]])
    }

    func testEveryRunIsOneSetNamedForItsFileAndRadius() {
        let sets = TransferSet.runs(of: contents())
        XCTAssertEqual(sets.map(\.name), ["fgsm.h5 (fgsm ε=0.1)", "fgsm.h5 (fgsm ε=0.25)"])
        XCTAssertEqual(sets[0].labels, [1, 0])
        XCTAssertEqual(sets[0].images.scalars, contents().adversarial[0].scalars)
    }

    func testAmplifiedSetsHaveThePerturbationRescaledToTheGivenRMS() {
        let file = contents()
        let clean = file.adversarial[1]
        let sets = TransferSet.runs(of: file, amplifiedTo: 0.2, clean: clean)
        XCTAssertEqual(sets[0].name, "fgsm.h5 (fgsm ε=0.1) ×→0.2")
        let rms = Distance.rms.measure(sets[0].images, from: clean)
        XCTAssertEqual(rms[0], 0.2, accuracy: 1e-6)
        XCTAssertEqual(rms[1], 0.2, accuracy: 1e-6)
        XCTAssertEqual(Distance.rms.measure(sets[1].images, from: clean), [0, 0], "a run without perturbation stays without one")
    }
}
