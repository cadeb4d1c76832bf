/* Registry: function records -> dense ids, with name, file and line copied out of the module.
 *
 * Ids are small integers (1, 2, ...) so that per-thread stats are a plain array indexed by id. The
 * same function compiled into several modules (an inline function in a header) has one record per
 * module; records with the same name, file and line get the same id, so it is reported once.
 * Metadata is copied because a dlclose()d module takes its strings with it.
 *
 * Registration happens in module constructors and, for a function called before its module's
 * constructor ran, lazily from the hot path's slow path — possibly inside a signal handler. The
 * lock is therefore only ever tried, never waited for: a busy registry makes that one call
 * unrecorded instead of deadlocking a handler that interrupted registration on its own thread.
 *
 * Layer 1 (rt_base.h): calls nothing of the runtime (it never starts it: the ABI entry point
 * __heatmap_register_v3 is in lifecycle.c); called by the hot path's slow path, calibrate.c, the
 * writers and the lifecycle.
 */
#include <stdlib.h>
#include <string.h>

#include "heap_pause.h"
#include "rt_base.h"

static atomic_flag hm_registry_lock = ATOMIC_FLAG_INIT;
static hm_func_meta *hm_meta; /* index id - 1 */
static uint32_t hm_meta_count;
static uint32_t hm_meta_cap;
static uint32_t *hm_hash_slots; /* open addressing: id, 0 = empty */
static uint32_t hm_hash_cap;    /* power of two */

static uint64_t hm_hash_key(const char *name, const char *file, uint32_t line) {
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (const char *p = name; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ull;
    h = (h ^ 0xffu) * 1099511628211ull;
    for (const char *p = file; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ull;
    return (h ^ line) * 1099511628211ull;
}

static bool hm_meta_equal(const hm_func_meta *m, const char *name, const char *file,
                          uint32_t line) {
    return m->line == line && strcmp(m->name, name) == 0 && strcmp(m->file, file) == 0;
}

static bool hm_hash_grow(void) {
    uint32_t cap = hm_hash_cap ? hm_hash_cap * 2 : 256;
    uint32_t *slots = calloc(cap, sizeof *slots);
    if (!slots)
        return false;
    for (uint32_t id = 1; id <= hm_meta_count; id++) {
        const hm_func_meta *m = &hm_meta[id - 1];
        uint32_t i = (uint32_t)hm_hash_key(m->name, m->file, m->line) & (cap - 1);
        while (slots[i])
            i = (i + 1) & (cap - 1);
        slots[i] = id;
    }
    free(hm_hash_slots);
    hm_hash_slots = slots;
    hm_hash_cap = cap;
    return true;
}

/* Caller holds the lock. Returns the id for (name, file, line), adding it when new; 0 on OOM. */
static uint32_t hm_intern_locked(const char *name, const char *file, uint32_t line) {
    if ((hm_meta_count + 1) * 2 > hm_hash_cap && !hm_hash_grow())
        return 0;
    uint32_t i = (uint32_t)hm_hash_key(name, file, line) & (hm_hash_cap - 1);
    for (; hm_hash_slots[i]; i = (i + 1) & (hm_hash_cap - 1))
        if (hm_meta_equal(&hm_meta[hm_hash_slots[i] - 1], name, file, line))
            return hm_hash_slots[i];
    if (hm_meta_count == hm_meta_cap) {
        uint32_t cap = hm_meta_cap ? hm_meta_cap * 2 : 256;
        hm_func_meta *meta = realloc(hm_meta, cap * sizeof *meta);
        if (!meta)
            return 0;
        hm_meta = meta;
        hm_meta_cap = cap;
    }
    char *name_copy = strdup(name), *file_copy = strdup(file);
    if (!name_copy || !file_copy) {
        free(name_copy);
        free(file_copy);
        return 0;
    }
    hm_meta[hm_meta_count] = (hm_func_meta){name_copy, file_copy, line, false};
    uint32_t id = ++hm_meta_count;
    hm_hash_slots[i] = id;
    return id;
}

static void hm_assign_locked(hm_func_record *record) {
    if (__atomic_load_n(&record->id, __ATOMIC_ACQUIRE) != 0)
        return;
    hm_heap_pause(); /* the registry's allocations are the runtime's own: never counted */
    uint32_t id = hm_intern_locked(record->name ? record->name : "?",
                                   record->file ? record->file : "", record->line);
    hm_heap_resume();
    __atomic_store_n(&record->id, id, __ATOMIC_RELEASE);
}

uint32_t hm_registry_intern(hm_func_record *record) {
    if (atomic_flag_test_and_set_explicit(&hm_registry_lock, memory_order_acquire))
        return 0;
    hm_assign_locked(record);
    atomic_flag_clear_explicit(&hm_registry_lock, memory_order_release);
    return __atomic_load_n(&record->id, __ATOMIC_ACQUIRE);
}

void hm_registry_add_table(const hm_module_table *table) {
    /* Constructors run one at a time, but threads started by earlier constructors may be
     * registering lazily: wait for them (never from a signal handler: this is a constructor). */
    while (atomic_flag_test_and_set_explicit(&hm_registry_lock, memory_order_acquire))
        ;
    for (uint32_t i = 0; i < table->count; i++)
        if (table->records[i])
            hm_assign_locked(table->records[i]);
    atomic_flag_clear_explicit(&hm_registry_lock, memory_order_release);
}

uint32_t hm_registry_count(void) {
    return __atomic_load_n(&hm_meta_count, __ATOMIC_ACQUIRE);
}

const hm_func_meta *hm_registry_meta(uint32_t id) {
    return id >= 1 && id <= hm_meta_count ? &hm_meta[id - 1] : NULL;
}

void hm_registry_mark_internal(uint32_t id) {
    if (id >= 1 && id <= hm_meta_count)
        hm_meta[id - 1].internal = true;
}
