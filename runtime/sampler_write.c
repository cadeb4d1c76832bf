/* The results file's "cpu_profile" section: the CPU sampler's samples, mappings and functions.
 *
 * Part of the results writer (writer.c calls hm_put_cpu_profile once, before closing the
 * document), so it obeys the same rules: it may run in a signal handler (SIGINT, SIGTERM, a
 * crash), hence no malloc and no stdio. The samples of every table (exited threads' and live
 * threads') are summed into one temporary table from mmap, so each distinct (pcs, stack) appears
 * once. The mappings are the executable ones of /proc/self/maps (read with open/read), each with
 * the GNU build ID of its file, read from the file's PT_NOTE segments with pread: that works in a
 * signal handler too (dl_iterate_phdr would not), at the price of reading the file as it is on
 * disk at the write. The functions are those named by some sample's stack. Format:
 * docs/results-format.md; key names: heatmap/results_format.h.
 *
 * Layer 4 (rt.h), a part of the results writer: calls the sampler's read side (rt_hot.h), the
 * registry, json_out and the thread arena; called by writer.c only.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "heatmap/results_format.h"
#include "json_out.h"
#include "rt.h"

#if __SIZEOF_POINTER__ == 8
#define HM_ELF_CLASS ELFCLASS64
#else
#define HM_ELF_CLASS ELFCLASS32
#endif

/* ---- samples ----------------------------------------------------------------------------------
 */

typedef struct hm_cpu_agg {
    hm_sample_table all; /* every table summed; all.map == NULL when it could not be made */
    uint64_t entries, dropped;
    uint8_t *used_ids; /* bitmap of the function ids some stack names */
    uint32_t nids;
} hm_cpu_agg;

static void hm_count_table(const hm_sample_table *t, void *ctx) {
    hm_cpu_agg *a = ctx;
    a->entries += atomic_load(&((hm_sample_table *)t)->used);
    a->dropped += t->dropped;
}

/* Entry i of a table when it is complete (a live thread may be writing its newest entry now). */
static const hm_sample *hm_entry(const hm_sample_table *t, uint32_t i) {
    const hm_sample *s = &t->entries[i];
    return s->npcs <= HM_SAMPLE_PCS && s->nstack <= HM_SAMPLE_STACK && s->count ? s : NULL;
}

static void hm_sum_table(const hm_sample_table *t, void *ctx) {
    hm_cpu_agg *a = ctx;
    uint32_t used = atomic_load(&((hm_sample_table *)t)->used);
    for (uint32_t i = 0; i < used && i < t->cap; i++)
        if (hm_entry(t, i))
            hm_sample_table_add(&a->all, &t->entries[i], t->entries[i].count);
}

static void hm_put_sample(hm_out *o, const hm_sample *s, bool first) {
    hm_put_field_u64(o, first ? "\n    {" : ",\n    {", HM_CPU_KEY_count, s->count);
    hm_put_key(o, ", ", HM_CPU_KEY_pcs);
    for (uint32_t i = 0; i < s->npcs; i++)
        hm_put_key_u64(o, i ? ", " : "[", s->pcs[i]);
    hm_puts(o, s->npcs ? "]" : "[]");
    hm_put_key(o, ", ", HM_CPU_KEY_stack);
    for (uint32_t i = 0; i < s->nstack; i++)
        hm_put_key_u64(o, i ? ", " : "[", s->stack[i]);
    hm_puts(o, s->nstack ? "]}" : "[]}");
}

/* ---- mappings ---------------------------------------------------------------------------------
 */

static uint64_t hm_parse_hex(const char **p) {
    uint64_t v = 0;
    for (;; (*p)++) {
        char c = **p;
        if (c >= '0' && c <= '9')
            v = v * 16 + (uint64_t)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v = v * 16 + (uint64_t)(c - 'a' + 10);
        else
            return v;
    }
}

/* Hex of the NT_GNU_BUILD_ID note of ELF file `path` into hex[size]; "" when there is none. */
static void hm_build_id(const char *path, char *hex, size_t size) {
    static const char digits[] = "0123456789abcdef";
    hex[0] = '\0';
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return;
    ElfW(Ehdr) eh;
    static ElfW(Phdr) ph[64];
    static unsigned char note[4096];
    if (pread(fd, &eh, sizeof eh, 0) != (ssize_t)sizeof eh ||
        memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 || eh.e_ident[EI_CLASS] != HM_ELF_CLASS ||
        eh.e_phentsize != sizeof(ElfW(Phdr)) || eh.e_phnum == 0 || eh.e_phnum > 64 ||
        pread(fd, ph, eh.e_phnum * sizeof *ph, (off_t)eh.e_phoff) !=
            (ssize_t)(eh.e_phnum * sizeof *ph)) {
        close(fd);
        return;
    }
    for (unsigned i = 0; i < eh.e_phnum && !hex[0]; i++) {
        if (ph[i].p_type != PT_NOTE)
            continue;
        size_t len = ph[i].p_filesz < sizeof note ? ph[i].p_filesz : sizeof note;
        ssize_t got = pread(fd, note, len, (off_t)ph[i].p_offset);
        size_t off = 0;
        while (got > 0 && off + sizeof(ElfW(Nhdr)) <= (size_t)got) {
            ElfW(Nhdr) nh;
            memcpy(&nh, note + off, sizeof nh);
            size_t name_at = off + sizeof nh, name_len = (nh.n_namesz + 3u) & ~3u;
            size_t desc_at = name_at + name_len, desc_len = (nh.n_descsz + 3u) & ~3u;
            if (desc_at + nh.n_descsz > (size_t)got)
                break;
            if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 &&
                memcmp(note + name_at, "GNU", 4) == 0 && nh.n_descsz * 2 < size) {
                for (size_t k = 0; k < nh.n_descsz; k++) {
                    hex[2 * k] = digits[note[desc_at + k] >> 4];
                    hex[2 * k + 1] = digits[note[desc_at + k] & 15];
                }
                hex[2 * nh.n_descsz] = '\0';
                break;
            }
            off = desc_at + desc_len;
        }
    }
    close(fd);
}

/* One line of /proc/self/maps: "start-limit perms offset dev inode path". */
static void hm_put_mapping_line(hm_out *o, const char *line, uint32_t *id) {
    const char *p = line;
    uint64_t start = hm_parse_hex(&p);
    if (*p++ != '-')
        return;
    uint64_t limit = hm_parse_hex(&p);
    if (*p++ != ' ' || strlen(p) < 5 || p[2] != 'x')
        return;
    /* [vsyscall] sits above 2^63, beyond the integers JSON readers (jansson) take; no sample's pc
     * can be there (the kernel emulates it), so it is left out rather than make the file
     * unreadable. */
    if (limit > (uint64_t)INT64_MAX)
        return;
    p += 5;
    uint64_t offset = hm_parse_hex(&p);
    for (int field = 0; field < 2; field++) { /* dev, inode */
        while (*p == ' ')
            p++;
        while (*p && *p != ' ')
            p++;
    }
    while (*p == ' ')
        p++;
    if (*p != '/' && *p != '[')
        return; /* anonymous executable memory: no file to name */
    if (limit > (uint64_t)INT64_MAX)
        return; /* [vsyscall] lies in kernel space, beyond the integers JSON readers take; user
                 * code never runs there */
    char build_id[129];
    if (*p == '/')
        hm_build_id(p, build_id, sizeof build_id);
    else
        build_id[0] = '\0';
    hm_put_field_u64(o, *id == 1 ? "\n    {" : ",\n    {", HM_CPU_KEY_id, *id);
    hm_put_field_u64(o, ", ", HM_CPU_KEY_start, start);
    hm_put_field_u64(o, ", ", HM_CPU_KEY_limit, limit);
    hm_put_field_u64(o, ", ", HM_CPU_KEY_offset, offset);
    hm_put_field_string(o, ", ", HM_CPU_KEY_file, p);
    hm_put_field_string(o, ", ", HM_CPU_KEY_build_id, build_id);
    hm_puts(o, "}");
    (*id)++;
}

static void hm_put_mappings(hm_out *o) {
    static char buf[4096], line[4096 + 1];
    size_t n = 0;
    uint32_t id = 1;
    bool skipping = false; /* inside a line too long to hold */
    int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
    ssize_t got;
    while (fd >= 0 && (got = read(fd, buf, sizeof buf)) > 0) {
        for (ssize_t i = 0; i < got; i++) {
            if (buf[i] == '\n') {
                line[n] = '\0';
                if (!skipping)
                    hm_put_mapping_line(o, line, &id);
                n = 0;
                skipping = false;
            } else if (n < sizeof line - 1) {
                line[n++] = buf[i];
            } else {
                skipping = true;
            }
        }
    }
    if (fd >= 0)
        close(fd);
}

/* ---- the section ------------------------------------------------------------------------------
 */

static void hm_mark_ids(hm_cpu_agg *a, const hm_sample *s) {
    for (uint32_t i = 0; i < s->nstack; i++)
        if (s->stack[i] < a->nids)
            a->used_ids[s->stack[i] / 8] |= (uint8_t)(1u << (s->stack[i] % 8));
}

typedef struct hm_cpu_write {
    hm_out *o;
    hm_cpu_agg *a;
    bool first;
} hm_cpu_write;

/* Without the summed table (no memory): each table as it is, an entry per table it is in. */
static void hm_put_table(const hm_sample_table *t, void *ctx) {
    hm_cpu_write *w = ctx;
    uint32_t used = atomic_load(&((hm_sample_table *)t)->used);
    for (uint32_t i = 0; i < used && i < t->cap; i++) {
        const hm_sample *s = hm_entry(t, i);
        if (!s)
            continue;
        if (w->o)
            hm_put_sample(w->o, s, w->first);
        else
            hm_mark_ids(w->a, s);
        w->first = false;
    }
}

void hm_put_cpu_profile(hm_out *o) {
    if (!hm_sampler_ran())
        return;
    hm_cpu_agg a;
    memset(&a, 0, sizeof a);
    hm_sampler_for_each_table(hm_count_table, &a);
    if (a.entries && hm_sample_table_init(&a.all, (uint32_t)(a.entries + a.entries / 2 + 64)))
        hm_sampler_for_each_table(hm_sum_table, &a);
    void *arena = NULL;
    a.nids = hm_registry_count() + 1;
    a.used_ids = hm_arena_alloc(&arena, a.nids / 8 + 1);
    if (!a.used_ids)
        a.nids = 0;
    uint32_t used = atomic_load(&a.all.used);
    hm_cpu_write w = {NULL, &a, true};
    if (a.all.map)
        for (uint32_t i = 0; i < used; i++)
            hm_mark_ids(&a, &a.all.entries[i]);
    else
        hm_sampler_for_each_table(hm_put_table, &w);

    uint32_t hz = hm_sampler_hz();
    hm_put_key(o, ",\n  ", HM_KEY_cpu_profile);
    hm_put_field_u64(o, "{", HM_CPU_KEY_hz, hz);
    hm_put_field_u64(o, ", ", HM_CPU_KEY_period_ns, hz ? 1000000000u / hz : 0);
    hm_put_field_u64(o, ", ", HM_CPU_KEY_samples_dropped, a.dropped + a.all.dropped);
    hm_put_key(o, ",\n  ", HM_CPU_KEY_mappings);
    hm_puts(o, "[");
    hm_put_mappings(o);
    hm_puts(o, "]");
    hm_put_key(o, ",\n  ", HM_CPU_KEY_functions);
    hm_puts(o, "[");
    bool first = true;
    for (uint32_t id = 1; id < a.nids; id++) {
        if (!(a.used_ids[id / 8] & (1u << (id % 8))))
            continue;
        const hm_func_meta *m = hm_registry_meta(id);
        hm_put_key_u64(o, first ? "\n    [" : ",\n    [", id);
        hm_puts(o, ", ");
        hm_put_json_string(o, m && m->name ? m->name : "");
        hm_puts(o, ", ");
        hm_put_json_string(o, m && m->file ? m->file : "");
        hm_put_key_u64(o, ", ", m ? m->line : 0);
        hm_puts(o, "]");
        first = false;
    }
    hm_puts(o, "]");
    hm_put_key(o, ",\n  ", HM_CPU_KEY_samples);
    hm_puts(o, "[");
    if (a.all.map) {
        for (uint32_t i = 0; i < used; i++)
            hm_put_sample(o, &a.all.entries[i], i == 0);
    } else {
        w.o = o;
        w.first = true;
        hm_sampler_for_each_table(hm_put_table, &w);
    }
    hm_puts(o, "]}");
    hm_sample_table_release(&a.all);
    hm_arena_release(&arena);
}
