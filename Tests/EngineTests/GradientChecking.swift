import XCTest
@testable import Engine

/// A random tensor of `shape` with values drawn uniformly from [low, high).
func randomTensor(_ shape: [Int], seed: UInt64, low: Float = -1, high: Float = 1) -> Tensor {
    var g = SeededGenerator(seed: seed)
    return Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in low + (high - low) * g.nextUniform() })
}

/// Compares an analytic gradient with central finite differences at up to `samples` coordinates.
///
/// `loss` must be a scalar function of the values of `point`; the comparison uses
/// |analytic − numeric| ≤ tolerance · max(1, |numeric|).
func assertGradientMatchesFiniteDifferences(
    _ analytic: [Float], at point: [Float], loss: ([Float]) -> Double,
    step: Float = 1e-2, tolerance: Double = 2e-2, samples: Int = 40, what: String,
    file: StaticString = #filePath, line: UInt = #line
) {
    XCTAssertEqual(analytic.count, point.count, "\(what): gradient has \(analytic.count) values for \(point.count) inputs", file: file, line: line)
    var g = SeededGenerator(seed: 99)
    let coordinates = point.count <= samples ? Array(0..<point.count) : (0..<samples).map { _ in Int(g.next() % UInt64(point.count)) }
    var worst = 0.0
    for i in coordinates {
        var plus = point, minus = point
        plus[i] += step
        minus[i] -= step
        let numeric = (loss(plus) - loss(minus)) / Double(2 * step)
        let error = abs(Double(analytic[i]) - numeric) / max(1, abs(numeric))
        worst = max(worst, error)
        XCTAssertLessThanOrEqual(error, tolerance, "\(what)[\(i)]: analytic \(analytic[i]), finite difference \(numeric)", file: file, line: line)
        if error > tolerance { return }
    }
    XCTAssertGreaterThan(
        analytic.map { abs($0) }.max() ?? 0, 0, "\(what): the gradient is identically zero, nothing was checked", file: file, line: line)
}

/// Checks a layer's input gradient and every parameter gradient against finite differences of
/// L(x, θ) = Σ R ⊙ layer(x), with R a fixed random projection of the output.
func checkGradient(
    of layer: Layer, at input: Tensor, step: Float = 1e-2, tolerance: Double = 2e-2, file: StaticString = #filePath, line: UInt = #line
) {
    var generator = SeededGenerator(seed: 0)
    let output = layer.forward(input, mode: .inference, generator: &generator).output
    let projection = randomTensor(output.shape, seed: 7)
    func loss(_ x: Tensor) -> Double {
        var g = SeededGenerator(seed: 0)
        let y = layer.forward(x, mode: .inference, generator: &g).output
        return zip(y.scalars, projection.scalars).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
    }
    let cache = layer.forward(input, mode: .inference, generator: &generator)
    let gradients = layer.backward(projection, cache: cache, needsInputGradient: true)
    assertGradientMatchesFiniteDifferences(
        gradients.input!.scalars, at: input.scalars, loss: { loss(Tensor(shape: input.shape, scalars: $0)) },
        step: step, tolerance: tolerance, what: "\(layer.name) input", file: file, line: line)
    for (p, parameter) in layer.parameters.enumerated() {
        let saved = parameter.value
        assertGradientMatchesFiniteDifferences(
            gradients.parameters[p].scalars, at: saved.scalars,
            loss: { values in
                parameter.value = Tensor(shape: saved.shape, scalars: values)
                defer { parameter.value = saved }
                return loss(input)
            },
            step: step, tolerance: tolerance, what: "\(layer.name).\(parameter.name)", file: file, line: line)
    }
}

/// Checks the input gradient of softmax cross-entropy through a whole network against finite differences.
func checkInputGradient(
    of model: Sequential, at input: Tensor, labels: [Int], step: Float = 1e-2, tolerance: Double = 2e-2, file: StaticString = #filePath,
    line: UInt = #line
) {
    let analytic = model.inputGradient(input, labels: labels).gradient
    func loss(_ values: [Float]) -> Double {
        let logits = model.forward(Tensor(shape: input.shape, scalars: values)).output
        return SoftmaxCrossEntropy.evaluate(logits: logits, labels: labels).losses.reduce(0.0) { $0 + Double($1) }
    }
    assertGradientMatchesFiniteDifferences(
        analytic.scalars, at: input.scalars, loss: loss, step: step, tolerance: tolerance, what: "input", file: file, line: line)
}
