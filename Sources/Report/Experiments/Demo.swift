import Activations
import Attacks
import Foundation

/// `probe demo`: both halves of the story on one data set in a few minutes on 2 cores — four
/// models of Szegedy's Table 1, their activations, units against random directions (§3), FGSM at
/// several ε (Goodfellow §4), box-constrained L-BFGS with its Gaussian-noise control (§4.1–4.2),
/// transfer across the models (Table 2), Lipschitz bounds (Table 5) — and the report of it all.
public enum Demo {
    /// The size of each stage.
    public struct Plan: Sendable {
        /// Training epochs of each model.
        public var epochs = 10
        /// Test images recorded for the units analysis.
        public var recorded = 10000
        /// Test images attacked with FGSM.
        public var fgsmExamples = 10000
        /// Test images attacked with L-BFGS on each model (and its noise control).
        public var lbfgsExamples = 500
        /// Top images per direction.
        public var topK = 100
        /// Rotated bases per layer.
        public var rotations = 10

        /// The plan `probe demo` runs on Fashion-MNIST.
        public init() {}
    }

    /// The models: softmax regression with λ = 1e-4 and 1e-2, and the two sigmoid nets of Table 1.
    public static func models(_ plan: Plan) -> [ModelSpec] {
        [
            ModelSpec("fc10", weightDecay: "1e-4", epochs: plan.epochs),
            ModelSpec("fc10", weightDecay: "1e-2", epochs: plan.epochs),
            ModelSpec("fc100-100-10", epochs: plan.epochs),
            ModelSpec("fc200-200-10", epochs: plan.epochs),
        ]
    }

    /// Runs every stage in `pipeline` and returns the files the report is made of.
    public static func run(_ pipeline: Pipeline, plan: Plan = Plan()) throws -> [String] {
        let models = try Demo.models(plan).map { try pipeline.model($0) }
        let (fc10, fc100) = (models[0], models[2])
        let activations = try pipeline.record(model: fc100, limit: plan.recorded, to: "fc100-100-10.acts.h5")
        var options = UnitsAnalysisOptions()
        options.topK = plan.topK
        options.rotations = plan.rotations
        options.seed = 1
        let units = try pipeline.units(activations: activations, layers: ["sigmoid1", "sigmoid2"], options: options, to: "fc100-100-10.units.h5")
        let sweep = try EpsilonSweep(epsilons: [0.05, 0.1, 0.15, 0.2, 0.25])
        let fgsm = try [(fc10, "fc10"), (fc100, "fc100-100-10")].map { model, name in
            try pipeline.attack(sweep, model: model, limit: plan.fgsmExamples, to: "fgsm-\(name).h5")
        }
        let lbfgs = try zip(models, Demo.models(plan)).enumerated().map { index, pair in
            try pipeline.attack(BoxLBFGS(), model: pair.0, limit: plan.lbfgsExamples, to: "lbfgs-\(index + 1)-\(pair.1.architecture).h5")
        }
        let noise = try pipeline.attack(
            NoiseControl(.matching(AttackFile.read(lbfgs[2]))), model: fc100, limit: plan.lbfgsExamples, to: "noise-fc100-100-10.h5")
        let transfer = try pipeline.transfer(attacks: lbfgs + [noise], models: models, to: "transfer.h5")
        let bounds = try models.map { model in
            try pipeline.lipschitz(model: model, to: URL(fileURLWithPath: model).deletingPathExtension().lastPathComponent + ".lipschitz.h5")
        }
        return models + [units] + fgsm + lbfgs + [noise, transfer] + bounds
    }
}
