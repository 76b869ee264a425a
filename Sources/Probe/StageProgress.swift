import Foundation
import Report

/// Shows a pipeline's stages: a progress bar per running stage (on a terminal), and one line on
/// stderr as each ends, with its time or "kept from an earlier run".
final class StageProgress {
    private let quiet: Bool
    private var bar: ProgressBar?
    private var stage = ""
    private var unit = "it"
    private var lastTotal = 1

    /// Progress shown unless `quiet`.
    init(quiet: Bool) { self.quiet = quiet }

    /// Handles one event of the pipeline.
    func handle(_ event: PipelineEvent) {
        switch event {
        case .began(let stage, let total, let unit):
            self.stage = stage
            self.unit = unit
            lastTotal = total
            bar = ProgressBar(stage, total: total, unit: unit, quiet: quiet)
        case .progress(let done, let total):
            if total != lastTotal { lastTotal = total }
            bar?.update(done, total: total)
        case .ended(let stage, let seconds, let reused):
            bar?.finish()
            bar = nil
            if !quiet { note(reused ? "\(stage): kept from an earlier run" : String(format: "\(stage): %.1f s", seconds)) }
        }
    }
}
