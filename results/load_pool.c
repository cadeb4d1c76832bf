/* The loaders' worker pool: load anywhere, use in input order (see load_pool.h).
 *
 * A ring of `window` slots, indexed i % window, holds the items loaded ahead of the one in use.
 * A worker claims the next index only while it is less than `window` ahead of the next to use, so
 * a slow use holds the workers back instead of piling up files. One mutex guards the counters and
 * the slots; the workers wait on `room`, the caller on `ready`. Nothing here is timed: the order
 * of uses and the message returned depend only on the inputs.
 */
#define _GNU_SOURCE /* heatmap/cpus.h */
#include "load_pool.h"

#include <heatmap/cpus.h>

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_JOBS 8
#define MSG_LEN 1024

enum { SLOT_EMPTY, SLOT_LOADING, SLOT_READY, SLOT_FAILED };

typedef struct slot {
    int state;
    void *item;
    char msg[MSG_LEN];
} slot;

typedef struct pool {
    size_t n, window;
    hm_pool_load_fn load;
    void *ctx;
    pthread_mutex_t lock;
    pthread_cond_t ready, room;
    size_t next, used; /* next index to claim; next index to use */
    bool stop;
    slot *slots;
} pool;

static void *worker(void *arg) {
    pool *p = arg;
    hm_json_doc doc = {0};
    pthread_mutex_lock(&p->lock);
    for (;;) {
        while (!p->stop && p->next < p->n && p->next >= p->used + p->window)
            pthread_cond_wait(&p->room, &p->lock);
        if (p->stop || p->next >= p->n)
            break;
        size_t i = p->next++;
        slot *s = &p->slots[i % p->window];
        s->state = SLOT_LOADING;
        pthread_mutex_unlock(&p->lock);
        void *item = NULL;
        char msg[MSG_LEN];
        msg[0] = '\0';
        int rc = p->load(p->ctx, &doc, i, &item, msg, sizeof msg);
        pthread_mutex_lock(&p->lock);
        s->state = rc == 0 ? SLOT_READY : SLOT_FAILED;
        s->item = rc == 0 ? item : NULL;
        memcpy(s->msg, msg, sizeof msg);
        pthread_cond_broadcast(&p->ready);
    }
    pthread_mutex_unlock(&p->lock);
    hm_json_doc_free(&doc);
    return NULL;
}

static int run_inline(size_t n, hm_pool_load_fn load, hm_pool_use_fn use, void *ctx, char *err,
                      size_t errlen) {
    hm_json_doc doc = {0};
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        void *item = NULL;
        rc = load(ctx, &doc, i, &item, err, errlen);
        if (rc == 0)
            rc = use(ctx, i, item, err, errlen);
    }
    hm_json_doc_free(&doc);
    return rc;
}

int hm_pool_run(size_t n, unsigned jobs, hm_pool_load_fn load, hm_pool_use_fn use,
                hm_pool_drop_fn drop, void *ctx, char *err, size_t errlen) {
    if (jobs == 0)
        jobs = hm_cpus_usable();
    if (jobs > MAX_JOBS)
        jobs = MAX_JOBS;
    if ((size_t)jobs > n)
        jobs = (unsigned)n;
    if (jobs <= 1)
        return run_inline(n, load, use, ctx, err, errlen);
    pool p = {.n = n, .window = 2 * (size_t)jobs + 2, .load = load, .ctx = ctx};
    p.slots = calloc(p.window, sizeof *p.slots);
    if (p.slots == NULL)
        return run_inline(n, load, use, ctx, err, errlen);
    pthread_mutex_init(&p.lock, NULL);
    pthread_cond_init(&p.ready, NULL);
    pthread_cond_init(&p.room, NULL);
    pthread_t threads[MAX_JOBS];
    unsigned started = 0;
    while (started < jobs && pthread_create(&threads[started], NULL, worker, &p) == 0)
        started++;
    int rc = 0;
    if (started == 0) { /* no thread to be had: do it here */
        free(p.slots);
        pthread_mutex_destroy(&p.lock);
        pthread_cond_destroy(&p.ready);
        pthread_cond_destroy(&p.room);
        return run_inline(n, load, use, ctx, err, errlen);
    }
    for (size_t i = 0; rc == 0 && i < n; i++) {
        slot *s = &p.slots[i % p.window];
        pthread_mutex_lock(&p.lock);
        while (s->state != SLOT_READY && s->state != SLOT_FAILED)
            pthread_cond_wait(&p.ready, &p.lock);
        int state = s->state;
        void *item = s->item;
        if (state == SLOT_FAILED)
            snprintf(err, errlen, "%s", s->msg);
        s->state = SLOT_EMPTY;
        s->item = NULL;
        p.used = i + 1;
        pthread_cond_broadcast(&p.room);
        pthread_mutex_unlock(&p.lock);
        rc = state == SLOT_READY ? use(ctx, i, item, err, errlen) : -1;
    }
    pthread_mutex_lock(&p.lock);
    p.stop = true;
    pthread_cond_broadcast(&p.room);
    pthread_mutex_unlock(&p.lock);
    for (unsigned t = 0; t < started; t++)
        pthread_join(threads[t], NULL);
    for (size_t k = 0; k < p.window; k++) /* loaded ahead of a failure */
        if (p.slots[k].state == SLOT_READY && drop != NULL)
            drop(ctx, p.slots[k].item);
    free(p.slots);
    pthread_mutex_destroy(&p.lock);
    pthread_cond_destroy(&p.ready);
    pthread_cond_destroy(&p.room);
    return rc;
}
