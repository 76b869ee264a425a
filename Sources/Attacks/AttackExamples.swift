import Engine

/// The clean examples an attack runs on: images in [0, 1], their true labels, and the row of each
/// in the data-set split it was taken from (what the attack file's `indices` record).
public struct AttackExamples: Sendable {
    /// The clean images, (N, …) as the model takes them.
    public var images: Tensor
    /// The true label of each image.
    public var labels: [Int]
    /// The row of each image in its split.
    public var indices: [Int]

    /// Examples `images` labelled `labels`, taken from rows `indices` of their split (by default the first N).
    public init(images: Tensor, labels: [Int], indices: [Int]? = nil) {
        precondition(labels.count == images.batchSize, "AttackExamples: \(labels.count) labels for \(images.batchSize) images")
        self.images = images
        self.labels = labels
        self.indices = indices ?? Array(0..<images.batchSize)
        precondition(self.indices.count == labels.count, "AttackExamples: \(self.indices.count) indices for \(labels.count) images")
    }

    /// How many examples there are.
    public var count: Int { labels.count }

    /// The examples at positions `rows`, in that order.
    public func subset(_ rows: [Int]) -> AttackExamples {
        AttackExamples(images: images.gathering(rows: rows), labels: rows.map { labels[$0] }, indices: rows.map { indices[$0] })
    }

    /// The examples at positions `range`.
    public func slice(_ range: Range<Int>) -> AttackExamples {
        AttackExamples(images: images.rows(range), labels: Array(labels[range]), indices: Array(indices[range]))
    }
}
