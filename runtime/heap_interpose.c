/* The malloc family, interposed: every block gets a header naming its allocating site (heap.h).
 *
 * Design. malloc, calloc, realloc, reallocarray, free, posix_memalign, aligned_alloc, memalign,
 * valloc, pvalloc and malloc_usable_size are exported under their libc names; the dynamic linker
 * finds them before the allocator's (libc's, or jemalloc's / tcmalloc's when the program links
 * one after the runtime), which each wrapper reaches through interpose.h (dlsym(RTLD_NEXT)).
 * strdup, strndup, C++ operator new/delete and libc's own allocations reach malloc and free
 * through the PLT, so they need no wrapper of their own. While tracking is on, a block is
 * HM_HEAP_HDR bytes larger than asked and the program's pointer follows the header; aligned
 * requests take `alignment` extra bytes so the pointer keeps its alignment (alignments above
 * 512 KiB are passed through untracked: the header's offset field has 16 bits of 16-byte units).
 *
 * free() and realloc() read the 16 bytes before the pointer and recognise our header by its check
 * word; anything else (a block from before tracking started, from tracking off, or from a path
 * that bypassed us) goes to the real function unchanged. A false match needs the 32-bit check of
 * a salted hash of the address to come out right by chance (2^-32 per foreign free).
 *
 * Bootstrap: while this thread resolves a real function (dlsym may call calloc), allocations are
 * served from a static buffer; its blocks are never released (free ignores them) and realloc
 * copies them out. Nothing here takes a lock; a signal handler that allocates (undefined
 * behaviour, but it happens) cannot deadlock on the runtime.
 *
 * Not in the unit-test build of the runtime (hm_runtime_testable): the sanitizers bring their own
 * malloc. Layer 2: calls heap.c and interpose.h; called by the program.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "heap.h"
#include "interpose.h"

#define HM_EXPORT __attribute__((visibility("default")))

HM_REAL_DEFINE(malloc, NULL);
HM_REAL_DEFINE(calloc, NULL);
HM_REAL_DEFINE(realloc, NULL);
HM_REAL_DEFINE(free, NULL);
HM_REAL_DEFINE(memalign, NULL);
HM_REAL_DEFINE(malloc_usable_size, NULL);

/* ---- bootstrap ------------------------------------------------------------------------------- */

static _Alignas(16) unsigned char hm_boot[64 * 1024];
static _Atomic size_t hm_boot_used;

static bool hm_is_boot(const void *p) {
    return (const unsigned char *)p >= hm_boot &&
           (const unsigned char *)p < hm_boot + sizeof hm_boot;
}

/* Zeroed memory from the static buffer, with its size in the 16 bytes before it. */
static void *hm_boot_alloc(size_t n) {
    size_t need = ((n + 15) & ~(size_t)15) + 16;
    size_t at = atomic_fetch_add(&hm_boot_used, need);
    if (n > sizeof hm_boot || at + need > sizeof hm_boot) {
        errno = ENOMEM;
        return NULL;
    }
    memcpy(hm_boot + at, &n, sizeof n);
    return hm_boot + at + 16;
}

static size_t hm_boot_size(const void *p) {
    size_t n;
    memcpy(&n, (const unsigned char *)p - 16, sizeof n);
    return n;
}

/* ---- headers --------------------------------------------------------------------------------- */

/* Tracking is on. Set once at init and never cleared (blocks with headers may exist from then
 * on), so "off" also means "no block of ours exists". */
static inline bool hm_active(void) {
    return atomic_load_explicit(&hm_heap_active, memory_order_relaxed) != 0;
}

/* Write the header before user pointer u (offset: 16-byte units back to the real block). */
static inline void *hm_stamp(void *base, size_t off16, size_t n) {
    void *u = (unsigned char *)base + off16 * 16;
    hm_heap_hdr *h = (hm_heap_hdr *)u - 1;
    h->size_off = (uint64_t)n | ((uint64_t)off16 << 48);
    h->site = hm_heap_count_alloc(n);
    h->check = hm_heap_check(u, h->size_off, h->site);
    return u;
}

/* Our header of user pointer p, or NULL when p is not ours. */
static inline hm_heap_hdr *hm_header(void *p) {
    hm_heap_hdr *h = (hm_heap_hdr *)p - 1;
    return h->check == hm_heap_check(p, h->size_off, h->site) && (h->size_off >> 48) != 0 ? h
                                                                                          : NULL;
}

/* Release our block (header h of user pointer p): count it, clear the check, free the base. */
static inline void hm_release(void *p, hm_heap_hdr *h, void (*real_free)(void *)) {
    uint64_t size = h->size_off & HM_HEAP_SIZE_MASK;
    size_t off16 = (size_t)(h->size_off >> 48);
    if (h->site != HM_SITE_NONE)
        hm_heap_count_free(h->site, size);
    h->check = 0;
    real_free((unsigned char *)p - off16 * 16);
}

/* ---- the wrappers ---------------------------------------------------------------------------- */

HM_EXPORT void *malloc(size_t n) {
    void *(*real)(size_t) = HM_REAL(malloc);
    if (HM_UNLIKELY(!real))
        return hm_boot_alloc(n);
    if (!hm_active())
        return real(n);
    if (HM_UNLIKELY(n > HM_HEAP_SIZE_MASK - HM_HEAP_HDR)) {
        errno = ENOMEM;
        return NULL;
    }
    void *base = real(n + HM_HEAP_HDR);
    return HM_LIKELY(base != NULL) ? hm_stamp(base, 1, n) : NULL;
}

HM_EXPORT void free(void *p) {
    if (!p || HM_UNLIKELY(hm_is_boot(p)))
        return;
    void (*real)(void *) = HM_REAL(free);
    if (HM_UNLIKELY(!real))
        return;         /* cannot happen once malloc resolved; leaking beats crashing */
    if (!hm_active()) { /* never on (it is never turned off): no block has a header */
        real(p);
        return;
    }
    hm_heap_hdr *h = hm_header(p);
    if (h)
        hm_release(p, h, real);
    else
        real(p);
}

HM_EXPORT void *calloc(size_t count, size_t size) {
    size_t n;
    if (__builtin_mul_overflow(count, size, &n)) {
        errno = ENOMEM;
        return NULL;
    }
    void *(*real)(size_t, size_t) = HM_REAL(calloc);
    if (HM_UNLIKELY(!real))
        return hm_boot_alloc(n);
    if (!hm_active())
        return real(count, size);
    if (HM_UNLIKELY(n > HM_HEAP_SIZE_MASK - HM_HEAP_HDR)) {
        errno = ENOMEM;
        return NULL;
    }
    void *base = real(1, n + HM_HEAP_HDR);
    return base ? hm_stamp(base, 1, n) : NULL;
}

/* An aligned block of n bytes at `align` (a power of two, >= sizeof(void *)); errno on failure. */
static void *hm_aligned(size_t align, size_t n) {
    void *(*real)(size_t, size_t) = HM_REAL(memalign);
    if (HM_UNLIKELY(!real))
        return align <= 16 ? hm_boot_alloc(n) : NULL;
    if (!hm_active() || align > ((size_t)1 << 19))
        return real(align, n);
    if (align < 16)
        align = 16;
    if (HM_UNLIKELY(n > HM_HEAP_SIZE_MASK - align)) {
        errno = ENOMEM;
        return NULL;
    }
    void *base = real(align, n + align);
    return base ? hm_stamp(base, align / 16, n) : NULL;
}

HM_EXPORT void *realloc(void *p, size_t n) {
    if (!p)
        return malloc(n);
    void *(*real)(void *, size_t) = HM_REAL(realloc);
    if (HM_UNLIKELY(hm_is_boot(p) || !real)) {
        void *q = malloc(n);
        if (q && hm_is_boot(p)) {
            size_t old = hm_boot_size(p);
            memcpy(q, p, old < n ? old : n);
        }
        return q;
    }
    hm_heap_hdr *h = hm_active() ? hm_header(p) : NULL;
    if (!h)
        return real(p, n); /* not ours: it stays the real allocator's, untracked */
    if (n == 0) {
        hm_release(p, h, HM_REAL(free));
        return NULL;
    }
    uint64_t old = h->size_off & HM_HEAP_SIZE_MASK;
    size_t off16 = (size_t)(h->size_off >> 48);
    if (off16 != 1 || !hm_active() || n > HM_HEAP_SIZE_MASK - HM_HEAP_HDR) {
        /* Aligned blocks (their alignment is not kept by realloc) and the rare rest: copy. */
        void *q = malloc(n);
        if (!q)
            return NULL;
        memcpy(q, p, old < n ? old : n);
        hm_release(p, h, HM_REAL(free));
        return q;
    }
    /* A release of the old block and an allocation of the new one, moved or not. The old header
     * is saved first: if the real realloc fails, the block is unchanged and must stay counted. */
    hm_heap_hdr saved = *h;
    h->check = 0;
    void *base = real((unsigned char *)p - HM_HEAP_HDR, n + HM_HEAP_HDR);
    if (!base) {
        *h = saved;
        return NULL;
    }
    if (saved.site != HM_SITE_NONE)
        hm_heap_count_free(saved.site, old);
    return hm_stamp(base, 1, n);
}

HM_EXPORT void *reallocarray(void *p, size_t count, size_t size) {
    size_t n;
    if (__builtin_mul_overflow(count, size, &n)) {
        errno = ENOMEM;
        return NULL;
    }
    return realloc(p, n);
}

static bool hm_power_of_two(size_t a) {
    return a && (a & (a - 1)) == 0;
}

HM_EXPORT int posix_memalign(void **out, size_t align, size_t n) {
    if (!hm_power_of_two(align) || align % sizeof(void *) != 0)
        return EINVAL;
    int saved = errno;
    void *p = hm_aligned(align, n);
    int rc = p ? 0 : (errno ? errno : ENOMEM);
    errno = saved;
    if (p)
        *out = p;
    return rc;
}

HM_EXPORT void *aligned_alloc(size_t align, size_t n) {
    if (!hm_power_of_two(align)) {
        errno = EINVAL;
        return NULL;
    }
    return hm_aligned(align, n);
}

HM_EXPORT void *memalign(size_t align, size_t n) {
    if (!hm_power_of_two(align)) { /* glibc rounds up; so do we */
        size_t a = 1;
        while (a < align && a)
            a <<= 1;
        align = a ? a : ((size_t)1 << 19);
    }
    return hm_aligned(align, n);
}

HM_EXPORT void *valloc(size_t n) {
    return hm_aligned((size_t)sysconf(_SC_PAGESIZE), n);
}

HM_EXPORT void *pvalloc(size_t n) {
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t rounded = (n + page - 1) & ~(page - 1);
    return hm_aligned(page, rounded ? rounded : page);
}

HM_EXPORT size_t malloc_usable_size(void *p) {
    if (!p)
        return 0;
    if (hm_is_boot(p))
        return hm_boot_size(p);
    size_t (*real)(void *) = HM_REAL(malloc_usable_size);
    if (!real)
        return 0;
    hm_heap_hdr *h = hm_active() ? hm_header(p) : NULL;
    if (!h)
        return real(p);
    size_t off = (size_t)(h->size_off >> 48) * 16;
    size_t usable = real((unsigned char *)p - off);
    return usable > off ? usable - off : 0;
}

/* Our own malloc, whatever the lookup order makes of the name "malloc". */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmissing-attributes" /* the alias need not repeat malloc's */
#endif
extern __typeof__(malloc) hm_malloc_self __attribute__((alias("malloc"), visibility("hidden")));

bool hm_heap_interposed(void) {
    return dlsym(RTLD_DEFAULT, "malloc") == (void *)hm_malloc_self;
}
