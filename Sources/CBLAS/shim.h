#include <cblas.h>

/* LAPACK routines of OpenBLAS (Fortran calling convention: every argument by reference,
 * column-major matrices). OpenBLAS is built without LAPACKE, so they are declared here. */

/* QR factorisation A = QR: R in the upper triangle, Householder reflectors below. */
void sgeqrf_(const int *m, const int *n, float *a, const int *lda, float *tau, float *work,
             const int *lwork, int *info);
/* Forms the m-by-n Q with orthonormal columns from sgeqrf_'s reflectors. */
void sorgqr_(const int *m, const int *n, const int *k, float *a, const int *lda, const float *tau,
             float *work, const int *lwork, int *info);
/* Eigenvalues (and vectors) of a symmetric matrix. */
void ssyevd_(const char *jobz, const char *uplo, const int *n, float *a, const int *lda, float *w,
             float *work, const int *lwork, int *iwork, const int *liwork, int *info,
             long jobz_len, long uplo_len);
/* Singular values (and optionally vectors) of a general matrix. */
void sgesvd_(const char *jobu, const char *jobvt, const int *m, const int *n, float *a, const int *lda,
             float *s, float *u, const int *ldu, float *vt, const int *ldvt, float *work,
             const int *lwork, int *info, long jobu_len, long jobvt_len);
/* Singular values (and optionally vectors) of a general matrix, in double precision. */
void dgesvd_(const char *jobu, const char *jobvt, const int *m, const int *n, double *a, const int *lda,
             double *s, double *u, const int *ldu, double *vt, const int *ldvt, double *work,
             const int *lwork, int *info, long jobu_len, long jobvt_len);
