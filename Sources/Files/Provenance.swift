import HDF5

/// Where a file's contents came from, written as its root attributes (DESIGN.md, "Files it
/// writes"): the model by path, sha256 and architecture, the data set, split and class names, the
/// seed, and the file it was derived from. What a kind of file does not know is left out.
public struct Provenance: Sendable, Equatable {
    /// The model file's path, as given (`model_file`).
    public var modelFile: String?
    /// SHA-256 of the model file (`model_sha256`).
    public var modelSHA256: String
    /// The model's architecture spec (`model_architecture`).
    public var modelArchitecture: String
    /// The data set's name (`dataset`).
    public var dataset: String?
    /// The sha256 of the data's content (`dataset_sha256`).
    public var datasetSHA256: String?
    /// The split the examples come from (`split`).
    public var split: RecordedSplit?
    /// The seed of the file's random choices (`seed`).
    public var seed: UInt64
    /// The class names (`class_names`).
    public var classNames: [String]?
    /// The neuron-probe file this one was computed from: `ROLE_file` and `ROLE_sha256`.
    public var derivedFrom: (role: String, path: String, sha256: String)?

    /// A provenance; the optional parts default to unknown.
    public init(
        modelFile: String? = nil, modelSHA256: String, modelArchitecture: String, dataset: String? = nil,
        datasetSHA256: String? = nil, split: RecordedSplit? = nil, seed: UInt64, classNames: [String]? = nil,
        derivedFrom: (role: String, path: String, sha256: String)? = nil
    ) {
        self.modelFile = modelFile
        self.modelSHA256 = modelSHA256
        self.modelArchitecture = modelArchitecture
        self.dataset = dataset
        self.datasetSHA256 = datasetSHA256
        self.split = split
        self.seed = seed
        self.classNames = classNames
        self.derivedFrom = derivedFrom
    }

    /// Writes the attributes known on `root`.
    public func write(to root: Group) throws {
        if let derivedFrom {
            try root.setAttribute("\(derivedFrom.role)_file", derivedFrom.path)
            try root.setAttribute("\(derivedFrom.role)_sha256", derivedFrom.sha256)
        }
        if let modelFile { try root.setAttribute("model_file", modelFile) }
        try root.setAttribute("model_sha256", modelSHA256)
        try root.setAttribute("model_architecture", modelArchitecture)
        try root.setAttribute("seed", Int64(bitPattern: seed))
        if let dataset { try root.setAttribute("dataset", dataset) }
        if let datasetSHA256 { try root.setAttribute("dataset_sha256", datasetSHA256) }
        if let split { try root.setAttribute("split", split.rawValue) }
        if let classNames { try root.setAttribute("class_names", classNames) }
    }

    public static func == (a: Provenance, b: Provenance) -> Bool {
        a.modelFile == b.modelFile && a.modelSHA256 == b.modelSHA256 && a.modelArchitecture == b.modelArchitecture
            && a.dataset == b.dataset && a.datasetSHA256 == b.datasetSHA256 && a.split == b.split && a.seed == b.seed
            && a.classNames == b.classNames && a.derivedFrom?.role == b.derivedFrom?.role
            && a.derivedFrom?.path == b.derivedFrom?.path && a.derivedFrom?.sha256 == b.derivedFrom?.sha256
    }
}
