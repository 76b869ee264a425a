import CPNG
import CTurboJPEG
import Foundation

/// One decoded image: its pixels row-major with channels interleaved (H, W, C), grey (C = 1) or RGB (C = 3).
public struct DecodedImage: Sendable, Equatable {
    /// `height · width · channels` bytes, row-major, channels interleaved.
    public var pixels: [UInt8]
    /// 1 (grey) or 3 (RGB).
    public var channels: Int
    /// Rows.
    public var height: Int
    /// Columns.
    public var width: Int

    /// The pixels channel-major (C, H, W), as a network takes an image.
    public var channelMajor: [UInt8] {
        guard channels > 1 else { return pixels }
        let plane = height * width
        var out = [UInt8](repeating: 0, count: pixels.count)
        for p in 0..<plane {
            for c in 0..<channels { out[c * plane + p] = pixels[p * channels + c] }
        }
        return out
    }

    /// "28x28 grey" or "32x32 RGB".
    public var sizeDescription: String { "\(width)x\(height) \(channels == 1 ? "grey" : "RGB")" }
}

/// Decodes PNG (libpng's simplified API) and JPEG (libjpeg-turbo) files into grey or RGB pixels:
/// grey files stay grey, colour files become RGB (an alpha channel is composited on black).
public enum ImageDecoder {
    /// The image in `bytes` (a PNG or a JPEG, told apart by their signatures).
    /// - Throws: `DatasetError.unreadableImage` naming `path` and what is wrong.
    public static func decode(_ bytes: [UInt8], path: String) throws -> DecodedImage {
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]) { return try png(bytes, path: path) }
        if bytes.starts(with: [0xFF, 0xD8, 0xFF]) { return try jpeg(bytes, path: path) }
        throw DatasetError.unreadableImage(path: path, reason: "it is neither a PNG nor a JPEG (by its first bytes)")
    }

    private static func png(_ bytes: [UInt8], path: String) throws -> DecodedImage {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        func failure() -> DatasetError {
            let message = withUnsafeBytes(of: image.message) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            png_image_free(&image)
            return .unreadableImage(path: path, reason: "libpng: \(message)")
        }
        guard bytes.withUnsafeBytes({ png_image_begin_read_from_memory(&image, $0.baseAddress, $0.count) }) != 0 else { throw failure() }
        let colour = image.format & UInt32(PNG_FORMAT_FLAG_COLOR) != 0
        image.format = colour ? UInt32(PNG_FORMAT_RGB) : UInt32(PNG_FORMAT_GRAY)
        let channels = colour ? 3 : 1
        let (width, height) = (Int(image.width), Int(image.height))
        var pixels = [UInt8](repeating: 0, count: width * height * channels)
        guard pixels.withUnsafeMutableBytes({ png_image_finish_read(&image, nil, $0.baseAddress, 0, nil) }) != 0 else { throw failure() }
        return DecodedImage(pixels: pixels, channels: channels, height: height, width: width)
    }

    private static func jpeg(_ bytes: [UInt8], path: String) throws -> DecodedImage {
        guard let handle = tjInitDecompress() else { throw DatasetError.unreadableImage(path: path, reason: "libjpeg-turbo could not start") }
        defer { tjDestroy(handle) }
        func failure() -> DatasetError { .unreadableImage(path: path, reason: "libjpeg-turbo: \(String(cString: tjGetErrorStr2(handle)))") }
        var width: Int32 = 0, height: Int32 = 0, subsampling: Int32 = 0, colourspace: Int32 = 0
        let header = bytes.withUnsafeBufferPointer {
            tjDecompressHeader3(handle, $0.baseAddress, UInt(bytes.count), &width, &height, &subsampling, &colourspace)
        }
        guard header == 0 else { throw failure() }
        let grey = colourspace == Int32(TJCS_GRAY.rawValue)
        let channels = grey ? 1 : 3
        var pixels = [UInt8](repeating: 0, count: Int(width) * Int(height) * channels)
        let format = grey ? Int32(TJPF_GRAY.rawValue) : Int32(TJPF_RGB.rawValue)
        let result = bytes.withUnsafeBufferPointer { source in
            pixels.withUnsafeMutableBufferPointer { target in
                tjDecompress2(handle, source.baseAddress, UInt(bytes.count), target.baseAddress, width, 0, height, format, 0)
            }
        }
        guard result == 0 else { throw failure() }
        return DecodedImage(pixels: pixels, channels: channels, height: Int(height), width: Int(width))
    }
}
