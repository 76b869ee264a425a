import Foundation

/// What a run directory holds and how each file was made (`manifest.json`): the experiment, its
/// protocol's every choice, the data set, and one entry per stage with its settings, its outputs,
/// its time, and whether an earlier run's file was reused.
public struct RunManifest: Codable, Sendable {
    /// One stage of the run.
    public struct Stage: Codable, Sendable {
        /// What it did ("train fc10-wd1e-4-…", "attack lbfgs on …").
        public var name: String
        /// Every setting, as text.
        public var settings: [String: String]
        /// The files it wrote, relative to the run directory.
        public var outputs: [String]
        /// Wall time in seconds (0 when reused).
        public var seconds: Double
        /// Whether the outputs were an earlier run's, kept.
        public var reused: Bool
    }

    /// The experiment's id (`szegedy2014-table1`, `demo`).
    public var experiment: String
    /// The data set.
    public var dataset: String
    /// The budget (`quick`, `paper`).
    public var budget: String
    /// The protocol's choices, by name.
    public var protocolChoices: [String: String]
    /// The neuron-probe version and the BLAS kernel.
    public var toolVersion: String
    /// See `toolVersion`.
    public var blasKernel: String
    /// When the run started.
    public var started: String
    /// The stages, in order.
    public var stages: [Stage]

    private enum CodingKeys: String, CodingKey {
        case experiment, dataset, budget, protocolChoices = "protocol", toolVersion = "tool_version", blasKernel = "blas_kernel", started, stages
    }
}
