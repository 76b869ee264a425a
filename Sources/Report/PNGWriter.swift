import CPNG
import Files
import Foundation
import Engine

/// Encodes rasters as 8-bit PNG (grey or RGB) through libpng's simplified write API
/// (`png_image_write_to_memory`, libpng ≥ 1.6.24) and writes them atomically.
///
/// The simplified API catches libpng's errors itself (its `setjmp` stays inside C) and reports
/// them as a return value and a message, so no `longjmp` ever crosses a Swift frame.
public enum PNGWriter {
    /// The PNG file of `raster`, as bytes.
    ///
    /// - Parameter raster: the image, at least 1×1.
    /// - Returns: a complete PNG stream (8-bit grey, colour type 0, or 8-bit RGB, colour type 2).
    /// - Throws: `ReportError.encoding` when the image is empty or libpng refuses it.
    public static func encode(_ raster: Raster) throws -> [UInt8] {
        guard raster.width > 0, raster.height > 0 else {
            throw ReportError.encoding(message: "a PNG needs at least one pixel; the image is \(raster.width)×\(raster.height)")
        }
        guard let width = UInt32(exactly: raster.width), let height = UInt32(exactly: raster.height),
            raster.width * raster.format.channels <= Int(Int32.max)
        else {
            throw ReportError.encoding(message: "the image is \(raster.width)×\(raster.height), too large for PNG")
        }
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        image.width = width
        image.height = height
        image.format = raster.format == .gray ? UInt32(PNG_FORMAT_GRAY) : UInt32(PNG_FORMAT_RGB)
        defer { png_image_free(&image) }

        // Raw bytes, one filter byte per row and generous room for zlib's headers and stored blocks;
        // if that is still short libpng reports the size it needs and we try once more.
        var capacity = raster.pixels.count + raster.height + raster.pixels.count / 100 + 4096
        for _ in 0..<2 {
            var output = [UInt8](repeating: 0, count: capacity)
            var size = png_alloc_size_t(capacity)
            let ok = output.withUnsafeMutableBytes { memory in
                raster.pixels.withUnsafeBytes { buffer in
                    png_image_write_to_memory(&image, memory.baseAddress, &size, 0, buffer.baseAddress, 0, nil)
                }
            }
            if ok != 0 {
                output.removeSubrange(Int(size)...)
                return output
            }
            if (image.warning_or_error & 0x3) > 1 || Int(size) <= capacity {
                throw ReportError.encoding(message: message(of: image))
            }
            capacity = Int(size)
            png_image_free(&image)
            image.warning_or_error = 0
        }
        throw ReportError.encoding(message: "libpng asked for a larger buffer twice")
    }

    /// Writes `raster` as a PNG file at `path` through a temporary file beside it, renamed into
    /// place when complete: a failed write leaves no file, and never a partial one, under `path`.
    ///
    /// - Parameters:
    ///   - raster: the image, at least 1×1.
    ///   - path: the file to create or replace; its directory must exist.
    /// - Throws: `AtomicFileError` when the directory is missing; `ReportError.cannotWrite` when the file cannot be
    ///   written, `ReportError.encoding` when libpng refuses the image.
    public static func write(_ raster: Raster, to path: String) throws {
        let output = try self.output(raster, to: path)
        try AtomicFile.requireDirectory(of: path)
        do {
            try AtomicFile.write([output])
        } catch {
            throw ReportError.cannotWrite(path: path, reason: "\(error)")
        }
    }

    /// `raster` as a PNG file at `path`, one output of a set written together; checked before the
    /// rename by reading its length back.
    /// - Throws: `ReportError.encoding` when libpng refuses the image.
    public static func output(_ raster: Raster, to path: String) throws -> AtomicFile.Output {
        let bytes = try encode(raster)
        return AtomicFile.Output(
            path: path, write: { try Data(bytes).write(to: URL(fileURLWithPath: $0)) },
            verify: { temporary in
                let size = (try FileManager.default.attributesOfItem(atPath: temporary)[.size] as? Int) ?? -1
                guard size == bytes.count else { throw ReportError.cannotWrite(path: path, reason: "\(size) of \(bytes.count) bytes written") }
            })
    }

    /// libpng's message from a failed call (a NUL-terminated `char[64]` inside `png_image`).
    private static func message(of image: png_image) -> String {
        var copy = image.message
        let text = withUnsafeBytes(of: &copy) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        return text.isEmpty ? "unknown libpng error" : text
    }
}
