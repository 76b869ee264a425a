// The Swift side of bench/run: times one training epoch of the benchmark networks with the
// neuron-probe engine, and the dense layers' GFLOP/s against cblas_sgemm's own at the same shapes.
// Prints one JSON object per line (see bench/README.md).
import Activations
import Attacks
import CBLAS
import Files
import Foundation
import Engine

// The kernel a user gets: where OpenBLAS fell back to a generic one, this restarts the process with
// the fastest kernel the CPU runs, as `probe` does.
do {
    try BLASKernelSelection.select()
} catch {
    FileHandle.standardError.write(Data("ProbeBench: \(error)\n".utf8))
    exit(2)
}

/// Prints one result as a JSON line, keys sorted.
func emit<Record: Encodable>(_ record: Record) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    print(String(decoding: try encoder.encode(record), as: UTF8.self))
}

/// One work item's timed epochs (and, for the MLP, the floor measured before each).
struct EpochRecord: Encodable {
    var implementation = "neuron-probe"
    var work: String
    var seconds: Double
    var runs: [Double]
    var meanLoss: Double
    var images: Int
    var version = ToolInfo.version
    var threads = LinearAlgebra.threadCount
    var blas = String(cString: openblas_get_config())
    var blasKernel = BLASKernelSelection.status.summary
    var floorRuns: [Double]?
    var floorRatios: [Double]?
    var floorRatio: Double?
    var shareFloorRuns: [Double]?
    var shareFloorRatio: Double?

    enum CodingKeys: String, CodingKey {
        case implementation, work, seconds, runs, meanLoss = "mean_loss", images, version, threads, blas, blasKernel = "blas_kernel"
        case floorRuns = "floor_runs", floorRatios = "floor_ratios", floorRatio = "floor_ratio"
        case shareFloorRuns = "share_floor_runs", shareFloorRatio = "share_floor_ratio"
    }
}

/// sgemm's rate at one product shape of the MLP.
struct ShapeRate: Encodable {
    var m: Int, n: Int, k: Int
    var gflops: Double
}

/// The dense layers' rate against sgemm's at the same shapes, and the MLP epoch's floor.
struct SgemmRecord: Encodable {
    var implementation = "neuron-probe"
    var work = "sgemm"
    var shapes: [ShapeRate]
    var denseGflops: Double
    var sgemmGflops: Double
    var floorSeconds: Double
    var floorWork = "mlp-epoch"
    var blasThreads = LinearAlgebra.threadCount

    enum CodingKeys: String, CodingKey {
        case implementation, work, shapes, denseGflops = "dense_gflops", sgemmGflops = "sgemm_gflops", floorSeconds = "floor_seconds"
        case floorWork = "floor_work", blasThreads = "blas_threads"
    }
}

/// FGSM throughput in-process.
struct FGSMRecord: Encodable {
    var implementation = "neuron-probe"
    var work = "fgsm-in-process"
    var model: String
    var seconds: Double
    var runs: [Double]
    var imagesPerSecond: Double
    var errorRate: Double
    var version = ToolInfo.version

    enum CodingKeys: String, CodingKey {
        case implementation, work, model, seconds, runs, imagesPerSecond = "images_per_second", errorRate = "error_rate", version
    }
}

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

// Usage: ProbeBench [WORK ...] [--model M.h5] [--images N] [--repeats N]
//   --images N: train the epochs on the first N training images only (a quick run)
//   --repeats N: timed epochs per work item (default 5; 2 for conv-epoch)
let arguments = Array(CommandLine.arguments.dropFirst())
func option(_ name: String) -> String? {
    arguments.firstIndex(of: name).flatMap { $0 + 1 < arguments.count ? arguments[$0 + 1] : nil }
}
let modelOption = option("--model")
let imagesOption = option("--images").flatMap { Int($0) }
let repeatsOption = option("--repeats").flatMap { Int($0) }
let operands = arguments.enumerated().filter { i, a in !a.hasPrefix("--") && (i == 0 || !arguments[i - 1].hasPrefix("--")) }.map(\.element)
let works = operands.isEmpty ? ["mlp-epoch", "conv-small-epoch", "conv-epoch", "sgemm"] : operands
let fullTrainSet = try DatasetRegistry.standard.load("fashion-mnist", split: .train)
let trainImages = imagesOption.map { fullTrainSet.images.rows(0..<min($0, fullTrainSet.count)) } ?? fullTrainSet.images
let trainLabels = imagesOption.map { Array(fullTrainSet.labels[0..<min($0, fullTrainSet.count)]) } ?? fullTrainSet.labels

/// The median, as Python's statistics.median: the mean of the middle two of an even count.
func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

/// The products one training step of the 784-100-100-10 MLP makes at batch 128: forward x·Wᵀ for
/// each layer, dW = gyᵀ·x for each layer, dx = gy·W for the two upper layers.
struct Product { let m, n, k: Int; let transposeA, transposeB: Bool }
let widths = [784, 100, 100, 10]
let batch = 128
func stepProducts(batch: Int) -> [Product] {
    var products: [Product] = []
    for l in 0..<3 {
        let (inputs, outputs) = (widths[l], widths[l + 1])
        products.append(Product(m: batch, n: outputs, k: inputs, transposeA: false, transposeB: true))
        products.append(Product(m: outputs, n: inputs, k: batch, transposeA: true, transposeB: false))
        if l > 0 { products.append(Product(m: batch, n: inputs, k: outputs, transposeA: false, transposeB: false)) }
    }
    return products
}
let products = stepProducts(batch: batch)
func flops(_ p: Product) -> Double { 2 * Double(p.m * p.n * p.k) }

/// Makes `repetitions` products of shape `p` with cblas_sgemm.
func multiply(_ p: Product, repetitions: Int) {
    let a = [Float](repeating: 0.5, count: p.m * p.k), b = [Float](repeating: 0.25, count: p.k * p.n)
    var c = [Float](repeating: 0, count: p.m * p.n)
    let lda = p.transposeA ? p.m : p.k, ldb = p.transposeB ? p.k : p.n
    for _ in 0..<repetitions {
        cblas_sgemm(
            CblasRowMajor, p.transposeA ? CblasTrans : CblasNoTrans, p.transposeB ? CblasTrans : CblasNoTrans,
            Int32(p.m), Int32(p.n), Int32(p.k), 1, a, Int32(lda), b, Int32(ldb), 0, &c, Int32(p.n))
    }
}

func sgemmRate(_ p: Product, repetitions: Int) -> Double {
    let time = seconds { multiply(p, repetitions: repetitions) }
    return flops(p) * Double(repetitions) / time / 1e9
}

/// The floor of the products as the engine makes them in a training step: the batch split into one
/// share per core (`Cores.shares`), every core making its share's products single-threaded at the
/// same time (`Cores.run`); the wall time of `repetitions` such steps, scaled to an epoch.
func shareFloorSeconds(repetitions: Int) -> Double {
    let shareProducts = stepProducts(batch: batch / Cores.shares(of: batch))
    let time = seconds { Cores.run { _ in for p in shareProducts { multiply(p, repetitions: repetitions) } } }
    return time / Double(repetitions) * Double((fullTrainSet.count + batch - 1) / batch)
}

/// Products of each shape timed for a floor: fewer (300) read 10-30% slower, the first calls of a
/// shape paying for waking OpenBLAS's threads and filling the caches.
let floorRepetitions = 2000

/// The sgemm-bound floor of one MLP epoch: the time its products take at sgemm's rate, each shape
/// timed over `repetitions` products.
func floorSeconds(repetitions: Int) -> (seconds: Double, rates: [Double]) {
    let rates = products.map { sgemmRate($0, repetitions: repetitions) }
    let step = zip(products, rates).map { flops($0) / ($1 * 1e9) }.reduce(0, +)
    return (step * Double((fullTrainSet.count + batch - 1) / batch), rates)
}

/// Times `repetitions` one-epoch runs, each from freshly initialised weights, after a warm-up of
/// 5 batches on a throw-away model; reports the median (as the Python side does).
///
/// For the MLP, the sgemm-bound floor is measured again just before every timed epoch (its products,
/// 2000 of each shape, about a second), and each epoch is compared with the floor measured
/// next to it: on a shared machine whose speed drifts from minute to minute, that ratio is steadier
/// than one of an epoch and a floor measured minutes apart.
func epoch(_ spec: String, work: String, repetitions defaultRepetitions: Int = 5) throws {
    let repetitions = repeatsOption ?? defaultRepetitions
    var configuration = TrainingConfiguration()
    configuration.optimizer = .sgd
    configuration.learningRate = 0.05
    configuration.momentum = 0.9
    configuration.batchSize = 128
    configuration.epochs = 1
    let trainer = Trainer(configuration: configuration)
    let architecture = try Architecture(spec, activation: spec.hasPrefix("fc") ? .relu : nil)
    var generator = SeededGenerator(seed: 1)
    let warm = try architecture.build(inputShape: [1, 28, 28], generator: &generator)
    let warmCount = min(640, trainLabels.count)
    _ = try trainer.train(warm, images: trainImages.rows(0..<warmCount), labels: Array(trainLabels[0..<warmCount]), generator: &generator)
    var runs: [Double] = []
    var losses: [Double] = []
    var floors: [Double] = [], shareFloors: [Double] = []
    for _ in 0..<repetitions {
        if work == "mlp-epoch" {
            floors.append(floorSeconds(repetitions: floorRepetitions).seconds)
            shareFloors.append(shareFloorSeconds(repetitions: floorRepetitions))
        }
        var generator = SeededGenerator(seed: 1)
        let model = try architecture.build(inputShape: [1, 28, 28], generator: &generator)
        var summaries: [EpochSummary] = []
        runs.append(
            try seconds {
                summaries = try trainer.train(model, images: trainImages, labels: trainLabels, generator: &generator)
            })
        losses.append(Double(summaries[0].loss))
    }
    var record = EpochRecord(work: work, seconds: median(runs), runs: runs, meanLoss: losses[0], images: trainLabels.count)
    if !floors.isEmpty, imagesOption == nil {
        let ratios = zip(runs, floors).map { $0 / $1 }
        record.floorRuns = floors
        record.floorRatios = ratios
        record.floorRatio = median(ratios)
        record.shareFloorRuns = shareFloors
        record.shareFloorRatio = median(zip(runs, shareFloors).map { $0 / $1 })
    }
    try emit(record)
}

func sgemmReport() throws {
    let repetitions = floorRepetitions
    let (floor, rates) = floorSeconds(repetitions: repetitions)
    let shapes = zip(products, rates).map { p, rate in ShapeRate(m: p.m, n: p.n, k: p.k, gflops: rate) }
    let stepFlops = products.map(flops).reduce(0, +)
    let sgemmTime = zip(products, rates).map { flops($0) / ($1 * 1e9) }.reduce(0, +)
    // The dense layers themselves (forward with bias, backward with bias gradient) at the same shapes.
    var generator = SeededGenerator(seed: 1)
    let model = try Architecture("fc100-100-10", activation: .relu).build(inputShape: [784], generator: &generator)
    let dense = model.layers.compactMap { $0 as? Dense }
    let x = fullTrainSet.images.rows(0..<batch).reshaped([batch, 784])
    var inputs = [x]
    for layer in dense.dropLast() { inputs.append(layer.forward(inputs.last!, mode: .inference, generator: &generator).output) }
    let denseTime = seconds {
        for _ in 0..<repetitions {
            for (l, layer) in dense.enumerated() {
                let cache = layer.forward(inputs[l], mode: .inference, generator: &generator)
                _ = layer.backward(cache.output, cache: cache, needsInputGradient: l > 0)
            }
        }
    }
    try emit(
        SgemmRecord(
            shapes: shapes, denseGflops: stepFlops * Double(repetitions) / denseTime / 1e9, sgemmGflops: stepFlops / sgemmTime / 1e9,
            floorSeconds: floor))
}

/// FGSM at ε = 0.1 plus classification of the adversarial images, over the 10,000 test images,
/// in-process with the data in memory: the same work the Python peers time.
func fgsmThroughput(modelPath: String) throws {
    let (model, metadata) = try ModelFile.load(modelPath)
    let test = try DatasetRegistry.standard.load("fashion-mnist", split: .test)
    let attack = try FastGradientSign(epsilon: 0.1)
    var runs: [Double] = []
    var errorRate = 0.0
    for repetition in 0..<4 {
        var generator = SeededGenerator(seed: 1)
        var wrong = 0
        let time = seconds {
            for batch in Batches.ranges(count: test.count, size: 500) {
                let labels = Array(test.labels[batch])
                let adversarial = attack.perturb(model: model, images: test.images.rows(batch), labels: labels, targets: nil, generator: &generator)
                    .adversarial
                wrong += zip(Softmax.argmax(model.predict(adversarial)), labels).filter { $0 != $1 }.count
            }
        }
        if repetition > 0 { runs.append(time) }  // the first run is the warm-up
        errorRate = Double(wrong) / Double(test.count)
    }
    let medianSeconds = median(runs)
    try emit(
        FGSMRecord(
            model: metadata.architecture, seconds: medianSeconds, runs: runs, imagesPerSecond: Double(test.count) / medianSeconds,
            errorRate: errorRate))
}

/// ONNX import of `modelPath` (decode, fold, build: what `probe import` does before writing) and
/// inference of the imported network on the 10,000 test images in batches of 500, in-process.
struct ONNXRecord: Encodable {
    var implementation = "neuron-probe"
    var work: String
    var seconds: Double
    var runs: [Double]
    var imagesPerSecond: Double?
    var logitsSum: Double?
    var version = ToolInfo.version

    enum CodingKeys: String, CodingKey {
        case implementation, work, seconds, runs, imagesPerSecond = "images_per_second", logitsSum = "logits_sum", version
    }
}

func onnxTimings(modelPath: String) throws {
    func timed(_ body: () throws -> Void) rethrows -> (Double, [Double]) {
        try body()  // warm-up
        let runs = try (0..<5).map { _ in try seconds(body) }
        return (median(runs), runs)
    }
    let (importSeconds, importRuns) = try timed { _ = try ModelImport.load(modelPath) }
    try emit(ONNXRecord(work: "onnx-import", seconds: importSeconds, runs: importRuns))
    let (model, _) = try ModelImport.load(modelPath)
    let test = try DatasetRegistry.standard.load("fashion-mnist", split: .test)
    var logitsSum = 0.0
    let (inferenceSeconds, inferenceRuns) = timed {
        logitsSum = 0
        for batch in Batches.ranges(count: test.count, size: 500) {
            logitsSum += model.predict(test.images.rows(batch)).scalars.reduce(0.0) { $0 + Double($1) }
        }
    }
    try emit(
        ONNXRecord(
            work: "onnx-inference", seconds: inferenceSeconds, runs: inferenceRuns, imagesPerSecond: Double(test.count) / inferenceSeconds,
            logitsSum: logitsSum))
}

for work in works {
    switch work {
    case "onnx":
        guard let modelOption else {
            FileHandle.standardError.write("ProbeBench onnx needs --model MODEL.onnx\n".data(using: .utf8)!)
            exit(2)
        }
        try onnxTimings(modelPath: modelOption)
    case "mlp-epoch": try epoch("fc100-100-10", work: work)
    case "conv-small-epoch": try epoch("conv-small", work: work)
    case "conv-epoch": try epoch("conv", work: work, repetitions: 2)  // a minute or more an epoch
    case "sgemm": try sgemmReport()
    case "fgsm":
        guard let modelOption else {
            FileHandle.standardError.write("ProbeBench fgsm needs --model MODEL.h5\n".data(using: .utf8)!)
            exit(2)
        }
        try fgsmThroughput(modelPath: modelOption)
    default:
        FileHandle.standardError.write(
            "ProbeBench: unknown work '\(work)'; use mlp-epoch, conv-small-epoch, conv-epoch, sgemm, fgsm --model M or onnx --model M.onnx\n".data(
                using: .utf8)!)
        exit(2)
    }
}
