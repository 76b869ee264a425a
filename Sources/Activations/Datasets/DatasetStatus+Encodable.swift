import Foundation

/// A data set's status as `probe data list --json` and `probe data verify --json` print it: the
/// name, whether it is complete, where each split was found and what each file's check found.
extension DatasetStatus: Encodable {
    private enum Keys: String, CodingKey { case name, complete, splits, files, split, location, file, path, status, verified }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(descriptor.name, forKey: .name)
        try container.encode(isComplete, forKey: .complete)
        var splitList = container.nestedUnkeyedContainer(forKey: .splits)
        for split in splits {
            var entry = splitList.nestedContainer(keyedBy: Keys.self)
            try entry.encode(split.split.rawValue, forKey: .split)
            try entry.encode(split.location?.directory.path, forKey: .location)
        }
        var fileList = container.nestedUnkeyedContainer(forKey: .files)
        for check in files {
            var entry = fileList.nestedContainer(keyedBy: Keys.self)
            try entry.encode(check.file.name, forKey: .file)
            try entry.encode(check.url?.path, forKey: .path)
            try entry.encode("\(check.outcome)", forKey: .status)
            try entry.encode(check.outcome.isVerified, forKey: .verified)
        }
    }
}

/// A fetched file as `probe data fetch --json` prints it: its name, where it is, what was done and
/// which checksum verified it.
extension DatasetFetcher.FileResult: Encodable {
    private enum Keys: String, CodingKey { case file, path, action, verifiedBy = "verified_by" }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(file.name, forKey: .file)
        try container.encode(url.path, forKey: .path)
        switch action {
        case .alreadyPresent: try container.encode("already present", forKey: .action)
        case .downloaded(let from): try container.encode("downloaded from \(from.absoluteString)", forKey: .action)
        }
        try container.encode("\(method)", forKey: .verifiedBy)
    }
}
