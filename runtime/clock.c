/* Time source for the hot path: the invariant TSC (x86) or the virtual counter (aarch64) when
 * trustworthy, CLOCK_MONOTONIC otherwise, with a one-time calibration from ticks to nanoseconds.
 *
 * The counter is read with rdtsc (no serialization: enter/exit bracket whole function calls, whose
 * cost dwarfs the few cycles of reordering). Calibration spins for about a millisecond against
 * CLOCK_MONOTONIC, which gives the ratio to about 1e-4; the result is a 32.32 fixed-point
 * multiplier.
 *
 * Layer 1 (rt_base.h): may call nothing of the runtime but hm_rt (state.c); called by the hot path
 * (hm_clock_now, inline), the writers (elapsed time) and the lifecycle (hm_clock_init).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rt_base.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

hm_clock_kind hm_clock_active = HM_CLOCK_MONOTONIC;
#ifdef HM_TEST_CLOCK
uint64_t hm_test_clock_ticks;
uint64_t hm_test_clock_step;
#endif

uint64_t hm_clock_monotonic_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t hm_clock_unix_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t hm_clock_monotonic_ticks(void) {
    return hm_clock_monotonic_ns();
}

/* True when the hardware counter ticks at a constant rate across P-states and sleep states. */
static bool hm_counter_is_invariant(void) {
#if defined(__x86_64__) || defined(__i386__)
    unsigned a, b, c, d;
    if ((unsigned)__get_cpuid_max(0x80000000u, NULL) < 0x80000007u)
        return false;
    __cpuid(0x80000007u, a, b, c, d);
    return (d >> 8) & 1u; /* "Invariant TSC" */
#elif defined(__aarch64__)
    return true; /* the generic timer's virtual counter is architecturally constant-rate */
#else
    return false;
#endif
}

hm_clock_kind hm_clock_init(const char *requested) {
    bool want_tsc =
        requested == NULL || strcmp(requested, "auto") == 0 || strcmp(requested, "tsc") == 0;
    hm_rt.ns_per_tick_fp = (uint64_t)1 << 32;
    hm_clock_active = HM_CLOCK_MONOTONIC;
#ifdef HM_TEST_CLOCK
    want_tsc = false; /* injected ticks are nanoseconds */
#endif
    if (!want_tsc || !hm_counter_is_invariant())
        return hm_clock_active;
    /* Bracket each end's counter read by two monotonic reads and keep the tighter pair. */
    uint64_t m0 = hm_clock_monotonic_ns(), c0 = hm_clock_read_counter(),
             m0b = hm_clock_monotonic_ns();
    uint64_t m1, c1, m1b;
    do {
        m1 = hm_clock_monotonic_ns();
        c1 = hm_clock_read_counter();
        m1b = hm_clock_monotonic_ns();
    } while (m1 - m0 < 1000000u);
    uint64_t ns = (m1 + m1b) / 2 - (m0 + m0b) / 2;
    uint64_t ticks = c1 - c0;
    if (ticks == 0 || ns == 0)
        return hm_clock_active;
    hm_rt.ns_per_tick_fp = (uint64_t)(((unsigned __int128)ns << 32) / ticks);
    hm_clock_active = HM_CLOCK_TSC;
    return hm_clock_active;
}
