import CBLAS

/// Row-major single-precision matrix product through OpenBLAS:
/// `C = alpha * op(A) * op(B) + beta * C`, with `op(A)` of shape (m, k) and `op(B)` of shape (k, n).
///
/// The one entry point the engine uses for every dense and convolutional product,
/// so that no C type leaves this module.
@inline(__always)
func gemm(
    transposeA: Bool = false, transposeB: Bool = false,
    m: Int, n: Int, k: Int,
    alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
    b: UnsafePointer<Float>, ldb: Int,
    beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int
) {
    guard m > 0, n > 0 else { return }
    cblas_sgemm(
        CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
        Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
}

/// Matrix products on whole tensors, for code outside the hot loops (tests, analysis).
public enum LinearAlgebra {
    /// The product of a (m, k) and a (k, n) row-major matrix, computed by `cblas_sgemm`.
    /// - Precondition: the inner extents agree.
    public static func matmul(_ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false) -> Tensor {
        precondition(a.shape.count == 2 && b.shape.count == 2, "matmul: needs two matrices, given \(a.shape) and \(b.shape)")
        let (m, ka) = transposeA ? (a.shape[1], a.shape[0]) : (a.shape[0], a.shape[1])
        let (kb, n) = transposeB ? (b.shape[1], b.shape[0]) : (b.shape[0], b.shape[1])
        precondition(ka == kb, "matmul: inner extents differ, \(ka) vs \(kb)")
        var out = Tensor.zeros([m, n])
        a.scalars.withUnsafeBufferPointer { pa in
            b.scalars.withUnsafeBufferPointer { pb in
                out.scalars.withUnsafeMutableBufferPointer { pc in
                    gemm(
                        transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: ka,
                        a: pa.baseAddress!, lda: a.shape[1], b: pb.baseAddress!, ldb: b.shape[1],
                        c: pc.baseAddress!, ldc: n)
                }
            }
        }
        return out
    }

    /// The number of threads OpenBLAS uses for a product.
    public static var threadCount: Int { Int(openblas_get_num_threads()) }
}

extension LinearAlgebra {
    /// A random orthogonal n×n matrix drawn uniformly (Haar measure): the Q of the QR factorisation
    /// (LAPACK `sgeqrf`/`sorgqr`) of a matrix of standard normal values, with each column's sign
    /// flipped so that R has a positive diagonal (Mezzadri 2007; the rotations of Bau et al. 2017 §3.2).
    /// - Returns: Q as a row-major (n, n) tensor whose rows (and columns) are orthonormal.
    public static func randomRotation(size n: Int, generator: inout SeededGenerator) -> Tensor {
        precondition(n >= 1, "randomRotation: size must be at least 1")
        // Column-major n×n Gaussian matrix for LAPACK.
        var a = (0..<(n * n)).map { _ in generator.nextGaussian() }
        var tau = [Float](repeating: 0, count: n)
        var size = Int32(n), info: Int32 = 0
        var workSize: Float = 0
        var query: Int32 = -1
        sgeqrf_(&size, &size, &a, &size, &tau, &workSize, &query, &info)
        var lwork = Int32(workSize)
        var work = [Float](repeating: 0, count: Int(lwork))
        sgeqrf_(&size, &size, &a, &size, &tau, &work, &lwork, &info)
        precondition(info == 0, "sgeqrf failed with info \(info)")
        let signs = (0..<n).map { a[$0 * n + $0] < 0 ? Float(-1) : Float(1) }
        sorgqr_(&size, &size, &size, &a, &size, &tau, &workSize, &query, &info)
        lwork = Int32(workSize)
        work = [Float](repeating: 0, count: Int(lwork))
        sorgqr_(&size, &size, &size, &a, &size, &tau, &work, &lwork, &info)
        precondition(info == 0, "sorgqr failed with info \(info)")
        // Column j of Q is a[j*n ..< (j+1)*n] (column-major); row-major Q[i][j] = a[j*n + i] · sign_j.
        var q = [Float](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in 0..<n { q[i * n + j] = a[j * n + i] * signs[j] }
        }
        return Tensor(shape: [n, n], scalars: q)
    }

    /// Eigenvalues (ascending) and orthonormal eigenvectors (as rows) of a symmetric (n, n)
    /// matrix, through LAPACK `ssyevd`: the principal components of a covariance matrix.
    public static func symmetricEigen(_ matrix: Tensor) -> (values: [Float], vectors: Tensor) {
        precondition(matrix.shape.count == 2 && matrix.shape[0] == matrix.shape[1], "symmetricEigen: needs a square matrix, given \(matrix.shape)")
        let n = matrix.shape[0]
        // Symmetric: row-major equals column-major.
        var a = matrix.scalars
        var w = [Float](repeating: 0, count: n)
        var size = Int32(n), info: Int32 = 0
        var jobz = CChar(UInt8(ascii: "V")), uplo = CChar(UInt8(ascii: "U"))
        var workSize: Float = 0, iworkSize: Int32 = 0, query: Int32 = -1
        ssyevd_(&jobz, &uplo, &size, &a, &size, &w, &workSize, &query, &iworkSize, &query, &info, 1, 1)
        var lwork = Int32(workSize), liwork = iworkSize
        var work = [Float](repeating: 0, count: Int(lwork))
        var iwork = [Int32](repeating: 0, count: Int(liwork))
        ssyevd_(&jobz, &uplo, &size, &a, &size, &w, &work, &lwork, &iwork, &liwork, &info, 1, 1)
        precondition(info == 0, "ssyevd failed with info \(info)")
        // Column-major eigenvectors: column j is a[j*n ..< (j+1)*n], i.e. row j of the row-major result.
        return (w, Tensor(shape: [n, n], scalars: a))
    }
}

extension LinearAlgebra {
    /// The singular values of a row-major (m, n) matrix, largest first, through LAPACK `sgesvd`.
    public static func singularValues(_ matrix: Tensor) -> [Float] {
        precondition(matrix.shape.count == 2, "singularValues: needs a matrix, given \(matrix.shape)")
        // A row-major (m, n) matrix is the column-major (n, m) matrix Aᵀ, which has the same singular values.
        var rows = Int32(matrix.shape[1]), columns = Int32(matrix.shape[0]), leading = rows
        var a = matrix.scalars
        var s = [Float](repeating: 0, count: Int(min(rows, columns)))
        var jobU = CChar(UInt8(ascii: "N")), jobVT = CChar(UInt8(ascii: "N"))
        var ldu: Int32 = 1, ldvt: Int32 = 1, info: Int32 = 0, query: Int32 = -1
        var workSize: Float = 0
        var u: Float = 0, vt: Float = 0
        sgesvd_(&jobU, &jobVT, &rows, &columns, &a, &leading, &s, &u, &ldu, &vt, &ldvt, &workSize, &query, &info, 1, 1)
        var lwork = Int32(workSize)
        var work = [Float](repeating: 0, count: Int(lwork))
        sgesvd_(&jobU, &jobVT, &rows, &columns, &a, &leading, &s, &u, &ldu, &vt, &ldvt, &work, &lwork, &info, 1, 1)
        precondition(info == 0, "sgesvd failed with info \(info)")
        return s
    }
}

extension LinearAlgebra {
    /// The singular values of a row-major (rows × columns) matrix of doubles, largest first,
    /// through LAPACK `dgesvd`: for bounds that must not fall below the exact value by float32 rounding.
    public static func singularValues(_ values: [Double], rows m: Int, columns n: Int) -> [Double] {
        precondition(values.count == m * n && m > 0 && n > 0, "singularValues: \(values.count) values for a \(m)×\(n) matrix")
        // Row-major (m, n) is column-major (n, m), the transpose: the same singular values.
        var rows = Int32(n), columns = Int32(m), leading = rows
        var a = values
        var s = [Double](repeating: 0, count: min(m, n))
        var jobU = CChar(UInt8(ascii: "N")), jobVT = CChar(UInt8(ascii: "N"))
        var ldu: Int32 = 1, ldvt: Int32 = 1, info: Int32 = 0, query: Int32 = -1
        var workSize = 0.0
        var u = 0.0, vt = 0.0
        dgesvd_(&jobU, &jobVT, &rows, &columns, &a, &leading, &s, &u, &ldu, &vt, &ldvt, &workSize, &query, &info, 1, 1)
        var lwork = Int32(workSize)
        var work = [Double](repeating: 0, count: Int(lwork))
        dgesvd_(&jobU, &jobVT, &rows, &columns, &a, &leading, &s, &u, &ldu, &vt, &ldvt, &work, &lwork, &info, 1, 1)
        precondition(info == 0, "dgesvd failed with info \(info)")
        return s
    }
}
