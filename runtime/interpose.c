/* Resolution of interposed functions' real addresses (interpose.h): dlsym(RTLD_NEXT) once each.
 *
 * The one file that needs RTLD_NEXT (and so _GNU_SOURCE for it). A thread-local flag guards
 * against recursion: a call of an interposed function made by dlsym itself gets NULL. Racing
 * threads may both resolve a slot; they find and store the same address.
 *
 * Layer 1: calls libc and libdl only; called by the users of interpose.h.
 */
#define _GNU_SOURCE
#include <dlfcn.h>

#include "interpose.h"

static __thread int hm_resolving __attribute__((tls_model("initial-exec")));

void *hm_real_resolve(hm_real *r) {
    void *fn = atomic_load_explicit(&r->fn, memory_order_acquire);
    if (fn)
        return fn;
    if (hm_resolving)
        return NULL;
    hm_resolving = 1;
    if (r->version)
        fn = dlvsym(RTLD_NEXT, r->name, r->version);
    if (!fn)
        fn = dlsym(RTLD_NEXT, r->name);
    hm_resolving = 0;
    if (fn)
        atomic_store_explicit(&r->fn, fn, memory_order_release);
    return fn;
}
