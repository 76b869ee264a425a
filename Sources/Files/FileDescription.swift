import HDF5

/// A walk over an HDF5 file written by neuron-probe: its kind, attributes, groups and datasets,
/// what `probe inspect` shows.
public struct FileDescription: Encodable {
    /// A dataset and its own attributes (dimension labels among them).
    public struct DatasetEntry: Encodable {
        /// Its layout.
        public var info: DatasetInfo
        /// Its attributes, in the file's order.
        public var attributes: [(String, AttributeValue)]

        private enum Keys: String, CodingKey { case attributes }

        /// The layout's keys beside `attributes`, an object.
        public func encode(to encoder: Encoder) throws {
            try info.encode(to: encoder)
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode(Dictionary(attributes, uniquingKeysWith: { first, _ in first }), forKey: .attributes)
        }
    }

    /// The file's path.
    public let path: String
    /// Its `format` attribute.
    public let kind: String
    /// Its root attributes, in the file's order.
    public let attributes: [(String, AttributeValue)]
    /// Every dataset, depth first.
    public private(set) var datasets: [DatasetEntry] = []
    /// Every group below the root, depth first.
    public private(set) var groups: [String] = []
    /// The attributes of each group that has any, by path (`group_attributes` in JSON, left out when no group has any).
    public private(set) var groupAttributes: [String: [(String, AttributeValue)]] = [:]
    /// The shards of a merged recording and whether each is there as it was merged; nil for other files.
    public let shards: [LinkedFile]?

    private enum Keys: String, CodingKey { case file, kind, attributes, groups, groupAttributes = "group_attributes", datasets, shards }

    /// The description as `probe inspect --json` writes it.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(path, forKey: .file)
        try container.encode(kind, forKey: .kind)
        try container.encode(Dictionary(attributes, uniquingKeysWith: { first, _ in first }), forKey: .attributes)
        try container.encode(groups, forKey: .groups)
        if !groupAttributes.isEmpty {
            try container.encode(
                groupAttributes.mapValues { Dictionary($0, uniquingKeysWith: { first, _ in first }) }, forKey: .groupAttributes)
        }
        try container.encode(datasets, forKey: .datasets)
        try container.encodeIfPresent(shards, forKey: .shards)
    }

    /// Reads the file's structure.
    /// - Throws: a one-line error when the file is missing, not HDF5, or not a neuron-probe file.
    public init(path: String) throws {
        self.path = path
        let (file, format) = try NeuronProbeFile.open(path)
        let root = file.root
        kind = format
        attributes = try root.attributeNames().map { ($0, try root.attributeValue($0)) }
        shards = try LinkedFile.shards(of: root, file: path)
        try walk(root, prefix: "")
    }

    private mutating func walk(_ group: Group, prefix: String) throws {
        for (name, kind) in try group.children() {
            let path = prefix + "/" + name
            switch kind {
            case .group:
                groups.append(path)
                let child = try group.openGroup(name)
                let attributes = try child.attributeNames().map { ($0, try child.attributeValue($0)) }
                if !attributes.isEmpty { groupAttributes[path] = attributes }
                try walk(child, prefix: path)
            case .dataset:
                let info = try group.datasetInfo(name)
                var attributes: [(String, AttributeValue)] = []
                if ["float32", "float64", "uint8", "int64", "int32"].contains(info.typeDescription) {
                    let dataset = try group.openDataset(name, of: Double.self)
                    attributes = try dataset.attributeNames()
                        .filter { !["DIMENSION_LIST", "DIMENSION_LABELS", "REFERENCE_LIST", "CLASS", "NAME"].contains($0) }
                        .map { ($0, try dataset.attributeValue($0)) }
                    let labels = try dataset.dimensionLabels()
                    if labels.contains(where: { !$0.isEmpty }) { attributes.append(("dimension labels", .strings(labels))) }
                }
                datasets.append(DatasetEntry(info: info, attributes: attributes))
            default:
                continue
            }
        }
    }
}
