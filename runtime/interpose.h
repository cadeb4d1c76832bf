/* Calling the real libc function behind one the runtime interposes (waits, the sampler, ...).
 *
 * An interposed function (a definition of, say, `nanosleep` exported by the runtime, found before
 * libc's by the dynamic linker) reaches the real one through a slot: the name, an optional symbol
 * version, and the address found by dlsym(RTLD_NEXT) (or dlvsym, when a version is given: glibc's
 * unversioned dlsym returns the oldest version of symbols such as pthread_cond_wait, which is not
 * the one programs are linked against). The address is resolved once and stored atomically, so
 * the common case is one acquire load. Resolution is not async-signal-safe (dlsym); users resolve
 * their slots up front (hm_real_resolve) from the runtime's init, so that a call from a signal
 * handler finds the address ready.
 *
 * Recursion: while this thread is inside dlsym, a nested call of any interposed function (dlsym
 * may allocate, lock, ...) gets NULL instead of recursing into dlsym; the caller then fails the
 * call in the function's own way (errno ENOSYS) or uses a fallback. With glibc, libc's internal
 * calls do not go through the PLT, so the wait wrappers never see this in practice.
 *
 * Layer 1 (rt_base.h's layer): interpose.c calls only libc and libdl. Any layer may use it.
 */
#ifndef HEATMAP_INTERPOSE_H
#define HEATMAP_INTERPOSE_H

#include <stdatomic.h>

#include "rt_base.h"

typedef struct hm_real {
    const char *name;
    const char *version; /* e.g. "GLIBC_2.3.2", or NULL for the default (dlsym) */
    _Atomic(void *) fn;  /* NULL until resolved */
} hm_real;

/* Resolve `r` now if it is not yet: dlvsym(RTLD_NEXT, name, version) when a version is given and
 * found, else dlsym(RTLD_NEXT, name). Returns the address, or NULL when this thread is already
 * inside a resolution (recursion) or the symbol does not exist. Thread-safe (racing resolutions
 * store the same address); not async-signal-safe. */
void *hm_real_resolve(hm_real *r) HM_HIDDEN;

/* The real function's address, resolving it on first use. */
static inline void *hm_real_get(hm_real *r) {
    void *fn = atomic_load_explicit(&r->fn, memory_order_acquire);
    return HM_LIKELY(fn != NULL) ? fn : hm_real_resolve(r);
}

/* Define the slot of function `fn` (a libc function with a prototype in scope), with an optional
 * symbol version (NULL for none), and get it typed as a pointer to `fn`:
 *     HM_REAL_DEFINE(nanosleep, NULL);
 *     int (*real)(const struct timespec *, struct timespec *) = HM_REAL(nanosleep);  */
#define HM_REAL_DEFINE(fn, version) static hm_real hm_real_##fn = {#fn, version, NULL}
#define HM_REAL(fn) ((__typeof__(&fn))hm_real_get(&hm_real_##fn))
#define HM_REAL_SLOT(fn) (&hm_real_##fn)

#endif /* HEATMAP_INTERPOSE_H */
