/* The CPUs a process may run on: the `cpus` figure of the results file (the bound of its
 * Parallelism, docs/results-format.md) and the default number of workers of heatmap-view's merge
 * and heatmap-scan. Defined once here because the runtime (libc only) and the tools both need it.
 *
 * The affinity mask counts, not the machine's CPUs: under taskset or a cgroup cpuset a process
 * cannot use the others, so they bound neither its parallelism nor a useful worker count.
 * Header-only; sched_getaffinity and CPU_COUNT are GNU extensions, so the including file defines
 * _GNU_SOURCE before its first include.
 */
#ifndef HEATMAP_CPUS_H
#define HEATMAP_CPUS_H

#ifndef _GNU_SOURCE
#error "heatmap/cpus.h needs _GNU_SOURCE defined before the first #include (sched_getaffinity)"
#endif

#include <sched.h>
#include <unistd.h>

/* CPUs this process may run on: its affinity mask, else the CPUs online; at least 1. */
static inline unsigned hm_cpus_usable(void) {
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
        return (unsigned)CPU_COUNT(&set);
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (unsigned)n : 1;
}

#endif /* HEATMAP_CPUS_H */
