import Foundation
import HDF5

/// Opening a neuron-probe file for reading, with the checks every reader makes first: it exists,
/// it is HDF5, its `format` names the kind expected, and its `format_version` is one this build reads.
public enum NeuronProbeFile {
    /// Opens `path` read-only as a file of `kind`.
    /// - Throws: `FileFormatError` saying which check failed.
    public static func open(_ path: String, as kind: FileKind) throws -> HDF5File {
        let (file, format) = try openNeuronProbe(path, expecting: kind)
        let root = file.root
        guard format == kind.format else { throw FileFormatError.otherFormat(path: path, kind: kind, format: format) }
        let version = Int(try root.attribute("format_version", as: Int64.self))
        guard version <= kind.version else { throw FileFormatError.newerVersion(path: path, kind: kind, version: version) }
        return file
    }

    /// Opens `path` read-only as a neuron-probe file of any kind, this build's or a later one's.
    /// - Returns: the file and its `format` attribute (`neuron-probe/…`).
    /// - Throws: `FileFormatError` when it is missing, not HDF5, or has no neuron-probe `format`.
    public static func open(_ path: String) throws -> (file: HDF5File, format: String) {
        let (file, format) = try openNeuronProbe(path, expecting: nil)
        guard format.hasPrefix("neuron-probe/") else { throw FileFormatError.notNeuronProbe(path: path) }
        return (file, format)
    }

    /// Opens an existing HDF5 file and reads its `format` ("no format attribute" when it has none).
    private static func openNeuronProbe(_ path: String, expecting kind: FileKind?) throws -> (file: HDF5File, format: String) {
        guard FileManager.default.fileExists(atPath: path) else { throw FileFormatError.missing(path: path, kind: kind) }
        guard HDF5File.isHDF5(path) else { throw FileFormatError.notHDF5(path: path, kind: kind) }
        let file: HDF5File
        do {
            file = try HDF5File.open(path)
        } catch let error as HDF5Error {
            throw FileFormatError.damaged(path: path, kind: kind, reason: plainReason(error.message))
        }
        let root = file.root
        let format = root.hasAttribute("format") ? (try? root.stringAttribute("format")) ?? "no format attribute" : "no format attribute"
        return (file, format)
    }

    /// HDF5's reason for refusing a file, in plain words where it is a known one.
    static func plainReason(_ message: String) -> String {
        if message.contains("truncated file"),
            let size = number(after: "eof = ", in: message), let stored = number(after: "stored_eof = ", in: message)
        {
            return "it is truncated: it holds \(size) of the \(stored) bytes it was written with (an interrupted copy or download)"
        }
        return message
    }

    private static func number(after label: String, in text: String) -> Int? {
        guard let start = text.range(of: label)?.upperBound else { return nil }
        return Int(text[start...].prefix { $0.isNumber })
    }
}

/// A file that is not the neuron-probe file a reader needs, in one line.
public enum FileFormatError: Error, CustomStringConvertible, Equatable {
    /// Nothing at the path (`kind`: the kind expected, nil for any).
    case missing(path: String, kind: FileKind?)
    /// Not an HDF5 file.
    case notHDF5(path: String, kind: FileKind?)
    /// An HDF5 file without a neuron-probe `format` attribute.
    case notNeuronProbe(path: String)
    /// A neuron-probe file whose `format` attribute is `format`, not the kind's.
    case otherFormat(path: String, kind: FileKind, format: String)
    /// A layout version newer than this build reads.
    case newerVersion(path: String, kind: FileKind, version: Int)
    /// An HDF5 file that HDF5 cannot open (truncated, or damaged inside).
    case damaged(path: String, kind: FileKind?, reason: String)
    /// An attribute naming one of a closed set of choices (`known`) names another.
    case unknownChoice(path: String, attribute: String, value: String, known: [String])

    /// The kind of file that was expected, nil for any.
    public var kind: FileKind? {
        switch self {
        case .missing(_, let kind), .notHDF5(_, let kind), .damaged(_, let kind, _): return kind
        case .notNeuronProbe, .unknownChoice: return nil
        case .otherFormat(_, let kind, _), .newerVersion(_, let kind, _): return kind
        }
    }

    public var description: String {
        switch self {
        case .missing(let path, let kind):
            return "\(path): no such \(kind.map { "\($0.noun) " } ?? "")file"
        case .notHDF5(let path, let kind):
            return "\(path) is not an HDF5 file, so not a neuron-probe \(kind.map { "\($0.noun) " } ?? "")file"
        case .notNeuronProbe(let path):
            return "\(path) is an HDF5 file but not a neuron-probe file (no neuron-probe format attribute)"
        case .otherFormat(let path, let kind, let format):
            return "\(path) is not a neuron-probe \(kind.noun) file (its format is '\(format)')"
        case .newerVersion(let path, let kind, let version):
            return
                "\(path) has \(kind.noun) format version \(version), newer than the \(kind.version) neuron-probe \(ToolInfo.version) reads; upgrade neuron-probe"
        case .damaged(let path, let kind, let reason):
            return
                "\(path) cannot be read as a neuron-probe \(kind.map { "\($0.noun) " } ?? "")file: \(reason); replace it with a complete copy or make it again"
        case .unknownChoice(let path, let attribute, let value, let known):
            return "\(path) is damaged: its \(attribute) is '\(value)', which is none of \(known.joined(separator: ", "))"
        }
    }
}

extension AttributeHolder {
    /// The string attribute `name` as one of a closed set of choices (a split, a layer kind).
    /// - Throws: `FileFormatError.unknownChoice` when it names none of them.
    public func choiceAttribute<Choice: RawRepresentable & CaseIterable>(_ name: String, as: Choice.Type, in path: String) throws -> Choice
    where Choice.RawValue == String {
        let text = try stringAttribute(name)
        guard let value = Choice(rawValue: text) else {
            throw FileFormatError.unknownChoice(path: path, attribute: name, value: text, known: Choice.allCases.map(\.rawValue))
        }
        return value
    }
}
