/* Unit tests of memory tracking's accounting (runtime/heap.c, heap_write.c): sites from the
 * shadow stack, per-thread counters summed over threads, frees counted against the allocating
 * site wherever they happen, peaks, the pause, the header check and the results section. The
 * malloc wrappers themselves are not in this build (the sanitizers own malloc here); the
 * end-to-end tests (tests/e2e/heap) drive them. Expected figures are counted by hand. */
#define _GNU_SOURCE
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "heap.h"
#include "heatmap/results_format.h"
#include "rt.h"

static hm_func_record rec_outer = {"outer", "h.c", 1, 0, HM_STATE_TIMED};
static hm_func_record rec_inner = {"inner", "h.c", 2, 0, HM_STATE_TIMED};
static hm_func_record rec_other = {"other", "h.c", 3, 0, HM_STATE_TIMED};
static hm_func_record *const records[] = {&rec_outer, &rec_inner, &rec_other};
static hm_module_table table = {HM_ABI_VERSION, 3, records};

static hm_heap_counts counts(uint32_t site) {
    hm_heap_counts c;
    hm_heap_site_counts(site, &c);
    return c;
}

static int setup_group(void **state) {
    (void)state;
    __heatmap_register_v3(&table);
    hm_heap_init(true, true);
    return atomic_load(&hm_heap_active) ? 0 : -1;
}

static void test_heap_outside_goes_to_site_one(void **state) {
    (void)state;
    hm_heap_counts before = counts(HM_SITE_OUTSIDE);
    assert_int_equal(hm_heap_count_alloc(100), HM_SITE_OUTSIDE);
    hm_heap_counts after = counts(HM_SITE_OUTSIDE);
    assert_int_equal(after.alloc_objects - before.alloc_objects, 1);
    assert_int_equal(after.alloc_bytes - before.alloc_bytes, 100);
    hm_heap_count_free(HM_SITE_OUTSIDE, 100);
    assert_int_equal(counts(HM_SITE_OUTSIDE).free_bytes - before.free_bytes, 100);
}

static void test_heap_site_is_the_innermost_frame_and_its_path(void **state) {
    (void)state;
    __heatmap_enter_v3(&rec_outer);
    uint32_t s_outer = hm_heap_count_alloc(10);
    __heatmap_enter_v3(&rec_inner);
    uint32_t s_inner = hm_heap_count_alloc(20);
    uint32_t s_inner2 = hm_heap_count_alloc(30); /* the fast path: same frame */
    __heatmap_exit_v3(&rec_inner);
    uint32_t s_outer2 = hm_heap_count_alloc(40); /* back in outer: its site again */
    __heatmap_exit_v3(&rec_outer);
    assert_true(s_outer >= HM_SITE_FIRST && s_inner >= HM_SITE_FIRST && s_outer != s_inner);
    assert_int_equal(s_inner, s_inner2);
    assert_int_equal(s_outer, s_outer2);
    const hm_site *si = hm_heap_site(s_inner), *so = hm_heap_site(s_outer);
    assert_int_equal(si->func, rec_inner.id);
    assert_int_equal(si->depth, 2);
    assert_int_equal(si->stack[0], rec_inner.id);
    assert_int_equal(si->stack[1], rec_outer.id);
    assert_int_equal(so->depth, 1);
    hm_heap_counts ci = counts(s_inner), co = counts(s_outer);
    assert_int_equal(ci.alloc_objects, 2);
    assert_int_equal(ci.alloc_bytes, 50);
    assert_int_equal(co.alloc_objects, 2);
    assert_int_equal(co.alloc_bytes, 50);
    hm_heap_count_free(s_inner, 20);
    hm_heap_count_free(s_inner, 30);
    hm_heap_count_free(s_outer, 10);
    hm_heap_count_free(s_outer, 40);
    assert_int_equal(counts(s_inner).free_objects, 2);
    assert_int_equal(counts(s_outer).free_bytes, 50);
}

static void test_heap_peak_is_the_most_in_use_at_once(void **state) {
    (void)state;
    __heatmap_enter_v3(&rec_other);
    uint32_t s = hm_heap_count_alloc(100);
    hm_heap_count_alloc(50);    /* 150 in use */
    hm_heap_count_free(s, 100); /* 50 */
    hm_heap_count_alloc(80);    /* 130: below the peak */
    hm_heap_count_free(s, 50);  /* 80 */
    __heatmap_exit_v3(&rec_other);
    assert_int_equal(hm_heap_peak(rec_other.id), 150);
    hm_heap_counts c = counts(s);
    assert_int_equal(c.alloc_objects, 3);
    assert_int_equal(c.alloc_bytes, 230);
    assert_int_equal(c.free_objects, 2);
    assert_int_equal(c.alloc_bytes - c.free_bytes, 80); /* still in use */
    hm_heap_count_free(s, 80);
}

static uint32_t thread_site;
static void *alloc_on_thread(void *arg) {
    (void)arg;
    __heatmap_enter_v3(&rec_inner);
    thread_site = hm_heap_count_alloc(64);
    hm_heap_count_alloc(64);
    __heatmap_exit_v3(&rec_inner);
    return NULL;
}

static void test_heap_freed_on_another_thread_counts_for_the_allocator(void **state) {
    (void)state;
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, alloc_on_thread, NULL), 0);
    assert_int_equal(pthread_join(t, NULL), 0);
    /* The thread has exited: its counts were folded into the exited set and are still there. */
    hm_heap_counts c = counts(thread_site);
    assert_int_equal(c.alloc_objects, 2);
    assert_int_equal(c.alloc_bytes, 128);
    hm_heap_count_free(thread_site, 64); /* freed here, on main, from outside any frame */
    c = counts(thread_site);
    assert_int_equal(c.free_objects, 1);
    assert_int_equal(c.free_bytes, 64);
    hm_heap_count_free(thread_site, 64);
}

static void test_heap_pause_counts_nothing(void **state) {
    (void)state;
    hm_heap_counts before = counts(HM_SITE_OUTSIDE);
    hm_heap_pause();
    assert_int_equal(hm_heap_count_alloc(999), HM_SITE_NONE);
    hm_heap_resume();
    hm_heap_counts after = counts(HM_SITE_OUTSIDE);
    assert_int_equal(after.alloc_objects, before.alloc_objects);
}

static void test_heap_check_depends_on_address_size_and_site(void **state) {
    (void)state;
    static char block[64];
    uint32_t c = hm_heap_check(block + 16, 24 | (1ull << 48), 5);
    assert_int_not_equal(c, 0);
    assert_int_equal(c, hm_heap_check(block + 16, 24 | (1ull << 48), 5));
    assert_int_not_equal(c, hm_heap_check(block + 32, 24 | (1ull << 48), 5));
    assert_int_not_equal(c, hm_heap_check(block + 16, 25 | (1ull << 48), 5));
    assert_int_not_equal(c, hm_heap_check(block + 16, 24 | (1ull << 48), 6));
}

/* The results file's heap section: per-function rows equal the sums of the sites. */
static void test_heap_results_section(void **state) {
    (void)state;
    __heatmap_enter_v3(&rec_outer);
    uint32_t s = hm_heap_count_alloc(1000); /* leaked */
    __heatmap_exit_v3(&rec_outer);
    char path[] = "/tmp/test_heap_XXXXXX.json";
    int fd = mkstemps(path, 5);
    assert_true(fd >= 0);
    close(fd);
    hm_thread_order order;
    assert_true(hm_thread_order_make(&order));
    assert_int_equal(hm_write_results_file(path, sizeof path, "exit", &order, NULL, NULL), 0);
    hm_thread_order_release(&order);
    json_error_t jerr;
    json_t *root = json_load_file(path, 0, &jerr);
    unlink(path);
    assert_non_null(root);
    json_t *heap = json_object_get(root, HM_KEY_heap);
    assert_non_null(heap);
    json_t *fns = json_object_get(heap, HM_HEAP_KEY_functions);
    json_t *sites = json_object_get(heap, HM_HEAP_KEY_sites);
    bool found = false;
    for (size_t i = 0; i < json_array_size(fns); i++) {
        json_t *row = json_array_get(fns, i);
        if (json_integer_value(json_array_get(row, 0)) != rec_outer.id)
            continue;
        found = true;
        /* outer: 10 + 40 from the path test, then 1000 here; 50 freed */
        assert_int_equal(json_integer_value(json_array_get(row, 1)), 3);
        assert_int_equal(json_integer_value(json_array_get(row, 2)), 1050);
        assert_int_equal(json_integer_value(json_array_get(row, 3)), 2);
        assert_int_equal(json_integer_value(json_array_get(row, 4)), 50);
    }
    assert_true(found);
    bool site_found = false;
    for (size_t i = 0; i < json_array_size(sites); i++)
        site_found |= json_integer_value(json_array_get(json_array_get(sites, i), 0)) == s;
    assert_true(site_found);
    json_decref(root);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_heap_outside_goes_to_site_one),
        cmocka_unit_test(test_heap_site_is_the_innermost_frame_and_its_path),
        cmocka_unit_test(test_heap_peak_is_the_most_in_use_at_once),
        cmocka_unit_test(test_heap_freed_on_another_thread_counts_for_the_allocator),
        cmocka_unit_test(test_heap_pause_counts_nothing),
        cmocka_unit_test(test_heap_check_depends_on_address_size_and_site),
        cmocka_unit_test(test_heap_results_section),
    };
    return cmocka_run_group_tests(tests, setup_group, NULL);
}
