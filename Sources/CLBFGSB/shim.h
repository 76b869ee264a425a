/* L-BFGS-B 3.0 (Byrd, Lu, Nocedal, Zhu), Fortran routine from liblbfgsb.
 * liblbfgsb-dev ships no header: this is the Fortran calling convention of
 *   subroutine setulb(n, m, x, l, u, nbd, f, g, factr, pgtol, wa, iwa,
 *                     task, iprint, csave, lsave, isave, dsave)
 * Every argument by reference; the two CHARACTER*60 arguments (task, csave)
 * add two hidden string lengths at the end, passed by value. */
#ifndef CLBFGSB_SHIM_H
#define CLBFGSB_SHIM_H

void setulb_(int *n, int *m, double *x, const double *l, const double *u,
             const int *nbd, double *f, double *g, const double *factr,
             const double *pgtol, double *wa, int *iwa, char *task,
             const int *iprint, char *csave, int *lsave, int *isave,
             double *dsave, long task_len, long csave_len);

#endif
