import Foundation
/// The record of one forward pass: every layer's cache, in order. Its taps are the
/// layers' outputs by name (Szegedy's φ(x) at each layer); `Sequential.backward` consumes it.
public struct ForwardTrace {
    /// The names of the layers, in order.
    public let layerNames: [String]
    /// One cache per layer.
    public let caches: [LayerCache]

    /// The network's output (the logits of a classifier).
    public var output: Tensor { caches.last!.output }

    /// The output of the layer called `name`.
    /// - Throws: `NetworkError.unknownLayer` listing the names the network has.
    public func tap(_ name: String) throws -> Tensor {
        guard let i = layerNames.firstIndex(of: name) else {
            throw NetworkError.unknownLayer(name, available: layerNames)
        }
        return caches[i].output
    }
}

/// The gradients of one backward pass through a `Sequential`.
public struct NetworkGradients {
    /// dLoss/dInput, same shape as the input batch; nil when not requested.
    public var input: Tensor?
    /// For each layer, the gradient of each of its parameters (same order as `Layer.parameters`).
    public var parameters: [[Tensor]]
}

/// A network as a sequence of layers: the engine every command uses to compute activations
/// and gradients with respect to parameters and input.
public final class Sequential {
    /// The layers, input first.
    public private(set) var layers: [Layer]
    /// The shape of one input example (e.g. [1, 28, 28]).
    public let inputShape: [Int]

    /// A network of `layers` taking examples of `inputShape`.
    /// - Throws: `NetworkError.shapeMismatch` when consecutive layers do not fit, or
    ///   `NetworkError.invalidModelFile` when two layers share a name.
    public init(inputShape: [Int], layers: [Layer]) throws {
        self.inputShape = inputShape
        self.layers = layers
        var shape = inputShape
        var seen = Set<String>()
        var shapes: [[Int]] = []
        for layer in layers {
            guard seen.insert(layer.name).inserted else {
                throw NetworkError.shapeMismatch("two layers are named '\(layer.name)'")
            }
            shape = try layer.outputShape(for: shape)
            shapes.append(shape)
        }
        outputShape = shape
        outputShapes = shapes
    }

    /// The per-example output shape of each layer, in order (checked when the network was built).
    private let outputShapes: [[Int]]

    /// The shape of one output example (e.g. [10]).
    public let outputShape: [Int]

    /// Values in one input example (784 for a 28×28 grey image).
    public var inputSize: Int { inputShape.reduce(1, *) }

    /// Values in one output example: the classes of a classifier.
    public var classCount: Int { outputShape.reduce(1, *) }

    /// The layer names, in order.
    public var layerNames: [String] { layers.map(\.name) }

    /// The layer called `name`.
    /// - Throws: `NetworkError.unknownLayer` listing the valid names.
    public func layer(named name: String) throws -> Layer {
        guard let layer = layers.first(where: { $0.name == name }) else {
            throw NetworkError.unknownLayer(name, available: layerNames)
        }
        return layer
    }

    /// Every parameter with its path `<layer>/<parameter>` (the dataset path in a model file).
    public var namedParameters: [(path: String, parameter: Parameter)] {
        layers.flatMap { layer in layer.parameters.map { ("\(layer.name)/\($0.name)", $0) } }
    }

    /// The number of trainable values.
    public var parameterCount: Int { namedParameters.reduce(0) { $0 + $1.parameter.value.count } }

    /// The per-example output shape of each layer, in order.
    public func layerOutputShapes() -> [[Int]] { outputShapes }

    /// Runs a batch through every layer.
    /// - Parameters:
    ///   - input: a batch of shape (batch, inputShape…) or (batch, features).
    ///   - mode: `.training` turns dropout on, drawing masks from `generator`.
    public func forward(_ input: Tensor, mode: ForwardMode = .inference, generator: inout SeededGenerator) -> ForwardTrace {
        precondition(
            input.rowSize == inputSize,
            "network: input examples have \(input.rowSize) values, the network expects shape \(inputShape)")
        var x = input.reshaped([input.batchSize] + inputShape)
        var caches: [LayerCache] = []
        caches.reserveCapacity(layers.count)
        for layer in layers {
            let cache = layer.forward(x, mode: mode, generator: &generator)
            x = cache.output
            caches.append(cache)
        }
        return ForwardTrace(layerNames: layerNames, caches: caches)
    }

    /// An inference forward pass (no dropout, so no randomness).
    public func forward(_ input: Tensor) -> ForwardTrace {
        var unused = SeededGenerator(seed: 0)
        return forward(input, mode: .inference, generator: &unused)
    }

    /// `body` applied to contiguous shares of the examples of `input`, one per core, each on its own
    /// core with single-threaded sgemm, and its tensors joined back along the batch axis. Examples
    /// are independent at inference, so the result is that of one call over the whole batch (to
    /// float rounding: OpenBLAS picks its kernel by the size of the product); it comes sooner,
    /// because two-thread OpenBLAS on these small products spins its second thread through every
    /// elementwise step between them.
    func joinedOverShares(_ input: Tensor, _ body: (Tensor, Range<Int>) -> [Tensor]) -> [Tensor] {
        guard ExampleParallel.shareCount(of: input.batchSize) > 1 else { return body(input, 0..<input.batchSize) }
        let lock = NSLock()
        var pieces: [(Int, [Tensor])] = []
        ExampleParallel.forEachShare(of: input.batchSize) { share, _ in
            let result = body(input.rows(share), share)
            lock.lock()
            pieces.append((share.lowerBound, result))
            lock.unlock()
        }
        pieces.sort { $0.0 < $1.0 }
        return pieces[0].1.indices.map { k in
            var scalars: [Float] = []
            scalars.reserveCapacity(pieces.reduce(0) { $0 + $1.1[k].count })
            for piece in pieces { scalars += piece.1[k].scalars }
            return Tensor(shape: [input.batchSize] + pieces[0].1[k].shape.dropFirst(), scalars: scalars)
        }
    }

    /// The network's output for `input`, computed in batches of `batchSize` to bound memory.
    public func predict(_ input: Tensor, batchSize: Int = 1000) -> Tensor {
        var out: [Float] = []
        out.reserveCapacity(input.batchSize * classCount)
        for batch in Batches.ranges(count: input.batchSize, size: batchSize) {
            out += joinedOverShares(input.rows(batch)) { rows, _ in [forward(rows).output] }[0].scalars
        }
        return Tensor(shape: [input.batchSize] + outputShape, scalars: out)
    }

    /// Backpropagates `outputGradient` (dLoss/dOutput) through the trace of a forward pass.
    /// - Parameter needsInputGradient: whether to compute dLoss/dInput (attacks need it; training does not).
    public func backward(_ trace: ForwardTrace, outputGradient: Tensor, needsInputGradient: Bool = true) -> NetworkGradients {
        var gradient = outputGradient
        var parameterGradients = [[Tensor]](repeating: [], count: layers.count)
        var inputGradient: Tensor?
        for i in stride(from: layers.count - 1, through: 0, by: -1) {
            let wantsInput = i > 0 || needsInputGradient
            let result = layers[i].backward(gradient, cache: trace.caches[i], needsInputGradient: wantsInput)
            parameterGradients[i] = result.parameters
            if i > 0 {
                gradient = result.input!
            } else {
                inputGradient = result.input
            }
        }
        return NetworkGradients(input: inputGradient, parameters: parameterGradients)
    }

    /// The softmax cross-entropy loss of each example and its gradient with respect to the input:
    /// the quantity FGSM and L-BFGS follow (∇ₓJ(θ, x, y), Goodfellow et al. 2015 eq. 1).
    /// - Returns: per-example losses, the logits, the probabilities, and dJ_b/dx_b for each example b (not divided by the batch).
    public func inputGradient(_ input: Tensor, labels: [Int]) -> (losses: [Float], logits: Tensor, probabilities: Tensor, gradient: Tensor) {
        let joined = joinedOverShares(input) { rows, share in
            let trace = forward(rows)
            let loss = SoftmaxCrossEntropy.evaluate(logits: trace.output, labels: Array(labels[share]), scale: 1)
            // Only the input gradient: no layer spends work on its parameter gradients.
            var gradient = loss.gradient
            for i in stride(from: layers.count - 1, through: 0, by: -1) {
                gradient = layers[i].inputGradient(gradient, cache: trace.caches[i])
            }
            return [Tensor(shape: [loss.losses.count], scalars: loss.losses), trace.output, loss.probabilities, gradient.reshaped(rows.shape)]
        }
        return (joined[0].scalars, joined[1], joined[2], joined[3])
    }

    /// The softmax cross-entropy of a training batch (mean over the batch) and its parameter gradients.
    ///
    /// Examples are independent in a forward and backward pass without sampling, so the batch is split
    /// into one share per core, each run on its own core with single-threaded sgemm, and the shares'
    /// gradients are summed in share order (the same machine gives the same bits). No product then runs
    /// on two OpenBLAS threads, whose idle thread would otherwise spin through every elementwise step and
    /// every share of the convolutions; and even the dense products of an MLP at batch 128 run faster as
    /// two single-threaded halves than as one product on two threads. A network with dropout runs
    /// whole, drawing its masks from `generator` in order.
    /// - Returns: each example's loss and probabilities, and for each layer its parameter gradients.
    public func trainingGradients(_ input: Tensor, labels: [Int], generator: inout SeededGenerator)
        -> (loss: SoftmaxCrossEntropy.Result, parameters: [[Tensor]])
    {
        let batch = input.batchSize
        let samples = layers.contains { $0 is Dropout }
        guard !samples, ExampleParallel.shareCount(of: batch) > 1 else {
            let trace = forward(input, mode: .training, generator: &generator)
            let loss = SoftmaxCrossEntropy.evaluate(logits: trace.output, labels: labels)
            return (loss, backward(trace, outputGradient: loss.gradient, needsInputGradient: false).parameters)
        }
        let lock = NSLock()
        var pieces: [(first: Int, loss: SoftmaxCrossEntropy.Result, gradients: [[Tensor]])] = []
        ExampleParallel.forEachShare(of: batch) { share, _ in
            var unused = SeededGenerator(seed: 0)
            let trace = forward(input.rows(share), mode: .training, generator: &unused)
            let loss = SoftmaxCrossEntropy.evaluate(logits: trace.output, labels: Array(labels[share]), scale: 1 / Float(batch))
            let gradients = backward(trace, outputGradient: loss.gradient, needsInputGradient: false).parameters
            lock.lock()
            pieces.append((share.lowerBound, loss, gradients))
            lock.unlock()
        }
        pieces.sort { $0.first < $1.first }
        var gradients = pieces[0].gradients
        for piece in pieces.dropFirst() {
            for l in gradients.indices {
                for p in gradients[l].indices {
                    gradients[l][p].scalars.withUnsafeMutableBufferPointer { total in
                        piece.gradients[l][p].scalars.withUnsafeBufferPointer { share in
                            let (count, total, share) = (total.count, total.baseAddress!, share.baseAddress!)
                            ExampleParallel.forEachPart(of: count) { part in
                                ShortRuns.add(share + part.lowerBound, to: total + part.lowerBound, count: part.count)
                            }
                        }
                    }
                }
            }
        }
        let classes = classCount
        let loss = SoftmaxCrossEntropy.Result(
            losses: pieces.flatMap(\.loss.losses),
            probabilities: Tensor(shape: [batch, classes], scalars: pieces.flatMap(\.loss.probabilities.scalars)),
            gradient: Tensor(shape: [batch, classes], scalars: pieces.flatMap(\.loss.gradient.scalars)))
        return (loss, gradients)
    }

    /// Throws when any parameter holds NaN or infinity, naming it.
    public func checkFinite() throws {
        for (path, parameter) in namedParameters where !parameter.value.isFinite {
            throw NetworkError.nonFiniteParameter(
                "parameter \(path) holds NaN or infinite values; the model is unusable (retrain it, e.g. with a smaller learning rate)")
        }
    }
}
