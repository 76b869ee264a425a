/* The processor's identification and the features the operating system enables, read with the
 * x86 `cpuid` and `xgetbv` instructions (GCC's and Clang's <cpuid.h>). On other processors every
 * call answers zero. */
#ifndef NEURON_PROBE_CCPU_SHIM_H
#define NEURON_PROBE_CCPU_SHIM_H

#include <stdint.h>

/* The four registers one cpuid leaf answers with. */
typedef struct { uint32_t eax, ebx, ecx, edx; } np_cpuid_registers;

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>

/* cpuid leaf `leaf`, sub-leaf `subleaf`; all zero when the processor has no such leaf. */
static inline np_cpuid_registers np_cpuid(uint32_t leaf, uint32_t subleaf) {
    np_cpuid_registers r = {0, 0, 0, 0};
    uint32_t highest = __get_cpuid_max(leaf & 0x80000000u, 0);
    if (highest == 0 || leaf > highest) return r;
    __cpuid_count(leaf, subleaf, r.eax, r.ebx, r.ecx, r.edx);
    return r;
}

/* The extended control register XCR0 (which register states the OS saves), or 0 when the OS has
 * not enabled xgetbv (cpuid leaf 1, ecx bit 27: OSXSAVE). */
static inline uint64_t np_xcr0(void) {
    np_cpuid_registers one = np_cpuid(1, 0);
    if ((one.ecx & (1u << 27)) == 0) return 0;
    uint32_t low, high;
    __asm__ volatile("xgetbv" : "=a"(low), "=d"(high) : "c"(0));
    return ((uint64_t)high << 32) | low;
}
#else
static inline np_cpuid_registers np_cpuid(uint32_t leaf, uint32_t subleaf) {
    (void)leaf; (void)subleaf;
    np_cpuid_registers r = {0, 0, 0, 0};
    return r;
}
static inline uint64_t np_xcr0(void) { return 0; }
#endif

#endif
