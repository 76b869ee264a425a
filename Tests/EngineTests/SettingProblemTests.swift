import XCTest
@testable import Engine

/// A setting that cannot work is named in the library's words, and a front end can name it its own way.
final class SettingProblemTests: XCTestCase {
    func testTheMessageNamesTheSettingItsValueAndTheProblem() {
        XCTAssertEqual("\(SettingProblem("batch size", "0", "must be at least 1"))", "batch size 0 must be at least 1")
        XCTAssertEqual("\(SettingProblem("steps", "must be at least 1"))", "steps must be at least 1")
    }

    func testAFrontEndNamesTheSettingItsOwnWay() {
        let problem = SettingProblem("step size", "-1", "must be positive")
        XCTAssertEqual(problem.described(naming: { "--" + $0.replacingOccurrences(of: " ", with: "-") }), "--step-size -1 must be positive")
    }

    func testTrainingSettingsAreCheckedInTheLibrarysWords() {
        var configuration = TrainingConfiguration()
        configuration.epochs = 0
        XCTAssertThrowsError(try configuration.validate()) { error in
            XCTAssertEqual(error as? SettingProblem, SettingProblem("epochs", "must be at least 1, given 0"))
        }
    }
}
