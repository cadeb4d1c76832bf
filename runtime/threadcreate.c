/* Thread creation sites: the creating thread's instrumented stack at each pthread_create.
 *
 * The threadcreate profile (Go's /debug/pprof/threadcreate) says where the program's threads were
 * made. The interposed pthread_create (sampler.c) calls hm_threadcreate_note, which copies the
 * caller's shadow stack (function ids, innermost first, as the sampler's samples hold them) into
 * one fixed table of distinct stacks with counts, found by linear search under a mutex: thread
 * creation is rare and far costlier than the search. The table is static (zero pages until used);
 * a stack beyond HM_TC_SITES distinct ones is counted in `hm_tc_overflow`, shown as its own site
 * by the server. A forked child keeps its parent's sites (its threads were made there), with a
 * fresh lock.
 *
 * Layer 2 (rt_hot.h), beside the hot path: reads the calling thread's shadow stack; called by the
 * interposed pthread_create and read by the live server (server.c).
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <string.h>

#include "rt_hot.h"

#define HM_TC_SITES 512u

typedef struct hm_tc_site {
    uint64_t count;
    uint32_t n;
    uint32_t ids[HM_SAMPLE_STACK];
} hm_tc_site;

static hm_tc_site hm_tc_sites[HM_TC_SITES];
static uint32_t hm_tc_used;
static uint64_t hm_tc_overflow;
static pthread_mutex_t hm_tc_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t hm_tc_once = PTHREAD_ONCE_INIT;

static void hm_tc_after_fork_child(void) {
    pthread_mutex_init(&hm_tc_lock, NULL);
}

static void hm_tc_init(void) {
    pthread_atfork(NULL, NULL, hm_tc_after_fork_child);
}

void hm_threadcreate_note(void) {
    hm_tc_site s;
    const hm_tls *t = &hm_tls_self;
    s.n = 0;
    if (t->stats_cap && t->stack) {
        uint32_t depth = t->depth < t->capacity ? t->depth : t->capacity;
        for (uint32_t i = depth; i > 0 && s.n < HM_SAMPLE_STACK; i--)
            s.ids[s.n++] = t->stack[i - 1].id;
    }
    pthread_once(&hm_tc_once, hm_tc_init);
    pthread_mutex_lock(&hm_tc_lock);
    uint32_t i = 0;
    while (i < hm_tc_used &&
           (hm_tc_sites[i].n != s.n || memcmp(hm_tc_sites[i].ids, s.ids, s.n * sizeof *s.ids) != 0))
        i++;
    if (i == hm_tc_used && hm_tc_used < HM_TC_SITES) {
        hm_tc_sites[i].n = s.n;
        memcpy(hm_tc_sites[i].ids, s.ids, s.n * sizeof *s.ids);
        hm_tc_sites[i].count = 0;
        hm_tc_used++;
    }
    if (i < hm_tc_used)
        hm_tc_sites[i].count++;
    else
        hm_tc_overflow++;
    pthread_mutex_unlock(&hm_tc_lock);
}

void hm_threadcreate_for_each(hm_threadcreate_fn fn, void *ctx) {
    pthread_once(&hm_tc_once, hm_tc_init);
    pthread_mutex_lock(&hm_tc_lock);
    for (uint32_t i = 0; i < hm_tc_used; i++)
        fn(hm_tc_sites[i].count, hm_tc_sites[i].ids, hm_tc_sites[i].n, ctx);
    if (hm_tc_overflow)
        fn(hm_tc_overflow, NULL, 0, ctx);
    pthread_mutex_unlock(&hm_tc_lock);
}
