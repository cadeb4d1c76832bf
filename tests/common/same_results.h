/* Field-by-field equality of two loaded results and of two merged call-path trees, for the tests
 * that compare two ways of loading the same files (worker threads, one parse or two). Every field
 * is compared, the owned strings and arrays by content; cmocka's asserts name the first difference.
 * Include after <cmocka.h>. */
#ifndef HM_TESTS_SAME_RESULTS_H
#define HM_TESTS_SAME_RESULTS_H

#include "hm_paths.h"
#include "hm_results.h"

#include <stddef.h>

static inline void hm_assert_same_heap(const hm_heap_figures *a, const hm_heap_figures *b) {
    assert_memory_equal(a, b, sizeof *a); /* five uint64_t: no padding */
}

static inline void hm_assert_same_results(const hm_results *a, const hm_results *b) {
    assert_int_equal(a->version, b->version);
    assert_string_equal(a->path, b->path);
    assert_string_equal(a->program, b->program);
    assert_int_equal(a->pid, b->pid);
    assert_string_equal(a->hostname, b->hostname);
    assert_int_equal(a->start_unix_ns, b->start_unix_ns);
    assert_int_equal(a->elapsed_ns, b->elapsed_ns);
    assert_string_equal(a->clock, b->clock);
    assert_int_equal(a->overhead_ns, b->overhead_ns);
    assert_string_equal(a->end, b->end);
    assert_int_equal(a->has_cpu, b->has_cpu);
    assert_int_equal(a->has_wall, b->has_wall);
    assert_int_equal(a->has_overhead_total, b->has_overhead_total);
    assert_int_equal(a->has_process_cpu, b->has_process_cpu);
    assert_int_equal(a->wall_ns, b->wall_ns);
    assert_int_equal(a->overhead_total_ns, b->overhead_total_ns);
    assert_int_equal(a->process_cpu_ns, b->process_cpu_ns);
    assert_int_equal(a->cpus, b->cpus);
    assert_int_equal(a->has_heap, b->has_heap);
    hm_assert_same_heap(&a->heap_outside, &b->heap_outside);
    hm_assert_same_heap(&a->heap_total, &b->heap_total);
    assert_int_equal(a->nfiles, b->nfiles);
    assert_int_equal(a->nfunctions, b->nfunctions);
    for (size_t i = 0; i < a->nfunctions; i++) {
        const hm_function_stats *x = &a->functions[i], *y = &b->functions[i];
        assert_string_equal(x->name, y->name);
        assert_string_equal(x->file, y->file);
        assert_int_equal(x->line, y->line);
        assert_int_equal(x->count, y->count);
        assert_int_equal(x->throttled, y->throttled);
        assert_int_equal(x->timed, y->timed);
        assert_int_equal(x->self_ns, y->self_ns);
        assert_int_equal(x->max_ns, y->max_ns);
        assert_int_equal(x->p50_ns, y->p50_ns);
        assert_int_equal(x->p95_ns, y->p95_ns);
        assert_int_equal(x->p99_ns, y->p99_ns);
        assert_int_equal(x->nbuckets, y->nbuckets);
        for (size_t k = 0; k < x->nbuckets; k++) {
            assert_int_equal(x->buckets[k].index, y->buckets[k].index);
            assert_int_equal(x->buckets[k].count, y->buckets[k].count);
        }
        assert_int_equal(x->nthreads, y->nthreads);
        if (x->nthreads > 0) /* five uint64_t each: no padding */
            assert_memory_equal(x->threads, y->threads, x->nthreads * sizeof *x->threads);
        assert_int_equal(x->has_cpu, y->has_cpu);
        assert_int_equal(x->cpu_ns, y->cpu_ns);
        assert_int_equal(x->wait_ns, y->wait_ns);
        assert_int_equal(x->blocked_ns, y->blocked_ns);
        assert_int_equal(x->open_calls, y->open_calls);
        hm_assert_same_heap(&x->heap, &y->heap);
    }
    assert_int_equal(a->nthreads, b->nthreads);
    for (size_t t = 0; t < a->nthreads; t++) {
        const hm_thread_stats *x = &a->threads[t], *y = &b->threads[t];
        assert_int_equal(x->tid, y->tid);
        assert_string_equal(x->name, y->name);
        assert_int_equal(x->calls, y->calls);
        assert_int_equal(x->self_ns, y->self_ns);
        assert_int_equal(x->has_cpu, y->has_cpu);
        assert_int_equal(x->cpu_ns, y->cpu_ns);
        assert_int_equal(x->wait_ns, y->wait_ns);
        assert_int_equal(x->preempt_ns, y->preempt_ns);
        assert_int_equal(x->overhead_ns, y->overhead_ns);
    }
}

static inline void hm_assert_same_paths(const hm_paths *a, const hm_paths *b) {
    assert_int_equal(a->nfunctions, b->nfunctions);
    for (size_t i = 0; i < a->nfunctions; i++) {
        assert_string_equal(a->functions[i].name, b->functions[i].name);
        assert_string_equal(a->functions[i].file, b->functions[i].file);
        assert_int_equal(a->functions[i].line, b->functions[i].line);
        assert_int_equal(a->functions[i].count, b->functions[i].count);
        assert_int_equal(a->functions[i].self_ns, b->functions[i].self_ns);
    }
    assert_int_equal(a->nnodes, b->nnodes);
    for (size_t i = 0; i < a->nnodes; i++) {
        const hm_path_node *x = &a->nodes[i], *y = &b->nodes[i];
        assert_int_equal(x->parent, y->parent);
        assert_int_equal(x->function, y->function);
        assert_int_equal(x->depth, y->depth);
        assert_int_equal(x->count, y->count);
        assert_int_equal(x->self_ns, y->self_ns);
        assert_int_equal(x->total_ns, y->total_ns);
        assert_int_equal(x->wait_ns, y->wait_ns);
        assert_int_equal(x->block_count, y->block_count);
        assert_int_equal(x->block_ns, y->block_ns);
        assert_int_equal(x->mutex_count, y->mutex_count);
        assert_int_equal(x->mutex_ns, y->mutex_ns);
        assert_int_equal(x->first_child, y->first_child);
        assert_int_equal(x->nchildren, y->nchildren);
    }
    if (a->nnodes > 1)
        assert_memory_equal(a->children, b->children, (a->nnodes - 1) * sizeof *a->children);
    assert_int_equal(a->folded_calls, b->folded_calls);
    assert_int_equal(a->max_nodes, b->max_nodes);
    assert_int_equal(a->ntrees, b->ntrees);
    assert_int_equal(a->nfiles, b->nfiles);
    assert_int_equal(a->elapsed_ns, b->elapsed_ns);
    assert_int_equal(a->start_unix_ns, b->start_unix_ns);
    assert_string_equal(a->program, b->program);
}

#endif
