/* Linux calls that Swift's Glibc module leaves out: `fallocate` needs _GNU_SOURCE in <fcntl.h>,
 * which that module owns and builds without it, so it is declared here as glibc declares it.
 * Empty elsewhere. */
#ifdef __linux__
#include <sys/types.h>
#include <linux/falloc.h>

int fallocate(int fd, int mode, off_t offset, off_t len);
#endif
