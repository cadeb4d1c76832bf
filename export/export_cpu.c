/* pprof cpu profile: the CPU sampler's samples (hm_profile.h), symbolized with libdw (export.h).
 *
 * Each sample's stack, leaf first, is its native pcs followed by its shadow stack of instrumented
 * functions. The pcs are symbolized offline with elfutils: every mapping's ELF file is reported to
 * its own Dwfl at the load bias computed from the mapping's start and file offset and the file's
 * PT_LOAD headers (a file whose build id differs from the recorded one is not used: its pcs stay
 * addresses). pcs[0] is looked up as is, pcs[1..] (return addresses) at pc - 1. One Location per
 * distinct (pc, leaf or return, mapping), with one Line per frame at that address, innermost
 * inlined frame first, from dwarf_getscopes() (inlined_subroutine scopes up to the subprogram;
 * the line of an outer frame is the inner one's DW_AT_call_line). Without DWARF the ELF symbol
 * name is used; without that the Location keeps just its address. Shadow frames become Locations
 * without address in a last, synthetic mapping, one Line (function, its start line). Where the
 * native frames reach into instrumented code, the shadow frames they already show are dropped
 * (shadow_overlap: with one pc, the sampled function itself), so no function appears twice.
 *
 * Strings, Functions (name, system name, file, start line) and Locations are deduplicated through
 * open-addressing maps of indexes (results/index_map.h). Values per sample: [count,
 * count × period_ns].
 */
#include "export.h"
#include "hm_results.h"
#include "index_map.h"
#include "pprof_common.h"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static uint64_t hash_str(const char *s) {
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

/* ---- The profile under construction --------------------------------------------------------- */

/* One mapping's symbolizer. */
typedef struct module {
    Dwfl *dwfl;
    Dwfl_Module *mod; /* NULL: this mapping's pcs stay addresses */
} module;

typedef struct frame {
    const char *name, *system_name, *file; /* borrowed from the Dwfl */
    const char *dir;                       /* compilation directory of a relative file, or NULL */
    int64_t line, start_line;
} frame;

#define MAX_FRAMES 64 /* inlined frames at one address */

typedef struct loc_key {
    uint64_t pc;
    size_t mapping; /* HM_CPU_NO_MAPPING for none; nmappings for shadow frames */
    size_t shadow;  /* function index for shadow frames */
    bool ret;
    const char *outer; /* not part of the key: the outermost frame's function, NULL if unknown */
} loc_key;

typedef struct cpu_build {
    const hm_cpu_profile *cpu;
    char **strings; /* owned copies */
    size_t nstrings, cap_strings;
    hm_imap string_map;
    pb_function **functions;
    size_t nfunctions, cap_functions;
    hm_imap function_map;
    pb_location **locations;
    loc_key *loc_keys;
    size_t nlocations, cap_locations, cap_loc_keys;
    hm_imap location_map;
    module *modules;
    pb_mapping *mappings;
    pb_mapping **mapping_ptrs;
    pb_sample *samples;
    pb_sample **sample_ptrs;
    uint64_t *location_ids;
    int64_t *values;
    hm_pprof_head head;
    pb_profile profile;
} cpu_build;

static uint64_t string_hash(const void *ctx, size_t i) {
    return hash_str(((const cpu_build *)ctx)->strings[i]);
}

static bool string_equal(const void *ctx, size_t i, const void *key) {
    return strcmp(((const cpu_build *)ctx)->strings[i], key) == 0;
}

/* Index of s in the string table, added when new; -1 on out-of-memory. */
static int64_t intern(cpu_build *b, const char *s) {
    if (s == NULL)
        s = "";
    if (hm_imap_reserve(&b->string_map, b->nstrings + 1, string_hash, b) != 0)
        return -1;
    size_t slot, found = hm_imap_find(&b->string_map, hash_str(s), string_equal, b, s, &slot);
    if (found != SIZE_MAX)
        return (int64_t)found;
    size_t n = strlen(s) + 1;
    char *copy = malloc(n);
    if (copy == NULL || hm_reserve((void **)&b->strings, &b->cap_strings, b->nstrings + 1,
                                   sizeof *b->strings) != 0) {
        free(copy);
        return -1;
    }
    b->strings[b->nstrings] = memcpy(copy, s, n);
    hm_imap_insert(&b->string_map, slot, b->nstrings);
    return (int64_t)b->nstrings++;
}

static uint64_t function_hash_of(const pb_function *f) {
    return hm_imap_mix((uint64_t)f->name * 31 + (uint64_t)f->system_name) ^
           hm_imap_mix((uint64_t)f->filename * 131 + (uint64_t)f->start_line);
}

static uint64_t function_hash(const void *ctx, size_t i) {
    return function_hash_of(((const cpu_build *)ctx)->functions[i]);
}

static bool function_equal(const void *ctx, size_t i, const void *key) {
    const pb_function *f = ((const cpu_build *)ctx)->functions[i], *k = key;
    return f->name == k->name && f->system_name == k->system_name && f->filename == k->filename &&
           f->start_line == k->start_line;
}

/* Index of `file` in the string table, joined to `dir` when relative; -1 on out-of-memory. */
static int64_t intern_path(cpu_build *b, const char *file, const char *dir) {
    if (file == NULL || file[0] == '/' || file[0] == '\0' || dir == NULL || dir[0] == '\0')
        return intern(b, file);
    size_t n = strlen(dir) + strlen(file) + 2;
    char *path = malloc(n);
    if (path == NULL)
        return -1;
    snprintf(path, n, "%s/%s", dir, file);
    int64_t i = intern(b, path);
    free(path);
    return i;
}

/* Id of the Function (name, system name, file, start line), added when new; 0 on out-of-memory. */
static uint64_t function_id(cpu_build *b, const char *name, const char *system_name,
                            const char *file, const char *dir, int64_t start_line) {
    pb_function key;
    perftools__profiles__function__init(&key);
    key.name = intern(b, name);
    key.system_name = intern(b, system_name ? system_name : name);
    key.filename = intern_path(b, file, dir);
    key.start_line = start_line;
    if (key.name < 0 || key.system_name < 0 || key.filename < 0 ||
        hm_imap_reserve(&b->function_map, b->nfunctions + 1, function_hash, b) != 0)
        return 0;
    size_t slot, found = hm_imap_find(&b->function_map, function_hash_of(&key), function_equal, b,
                                      &key, &slot);
    if (found != SIZE_MAX)
        return b->functions[found]->id;
    pb_function *f = malloc(sizeof *f);
    if (f == NULL || hm_reserve((void **)&b->functions, &b->cap_functions, b->nfunctions + 1,
                                sizeof *b->functions) != 0) {
        free(f);
        return 0;
    }
    *f = key;
    f->id = b->nfunctions + 1;
    b->functions[b->nfunctions] = f;
    hm_imap_insert(&b->function_map, slot, b->nfunctions++);
    return f->id;
}

static uint64_t loc_hash_of(const loc_key *k) {
    return hm_imap_mix(k->pc) ^
           hm_imap_mix(((uint64_t)k->mapping << 1 | k->ret) * 0x9e3779b97f4a7c15ULL) ^
           hm_imap_mix(k->shadow + 0x51ed27);
}

static uint64_t loc_hash(const void *ctx, size_t i) {
    return loc_hash_of(&((const cpu_build *)ctx)->loc_keys[i]);
}

/* A new Location for `key` with n lines from frames (shadow frames: one). Its id, 0 on OOM. */
static uint64_t add_location(cpu_build *b, const loc_key *key, size_t slot, const frame *fr,
                             size_t n, uint64_t address, uint64_t mapping_id) {
    pb_location *loc = calloc(1, sizeof *loc);
    if (loc == NULL ||
        hm_reserve((void **)&b->locations, &b->cap_locations, b->nlocations + 1,
                   sizeof *b->locations) ||
        hm_reserve((void **)&b->loc_keys, &b->cap_loc_keys, b->nlocations + 1,
                   sizeof *b->loc_keys)) {
        free(loc);
        return 0;
    }
    perftools__profiles__location__init(loc);
    loc->id = b->nlocations + 1;
    loc->mapping_id = mapping_id;
    loc->address = address;
    b->locations[b->nlocations] = loc;
    b->loc_keys[b->nlocations] = *key;
    hm_imap_insert(&b->location_map, slot, b->nlocations++);
    loc->line = calloc(n ? n : 1, sizeof *loc->line);
    if (loc->line == NULL)
        return 0;
    for (size_t i = 0; i < n; i++) {
        pb_line *ln = malloc(sizeof *ln);
        if (ln == NULL)
            return 0;
        perftools__profiles__line__init(ln);
        loc->line[loc->n_line++] = ln;
        ln->function_id =
            function_id(b, fr[i].name, fr[i].system_name, fr[i].file, fr[i].dir, fr[i].start_line);
        ln->line = fr[i].line;
        if (ln->function_id == 0)
            return 0;
    }
    return loc->id;
}

static bool loc_equal(const void *ctx, size_t i, const void *key) {
    const loc_key *k = &((const cpu_build *)ctx)->loc_keys[i], *q = key;
    return k->pc == q->pc && k->mapping == q->mapping && k->shadow == q->shadow && k->ret == q->ret;
}

/* The index of the Location of `key`, or SIZE_MAX with *slot set to where a new one goes; after
 * room for one more is made in the location map. SIZE_MAX with *slot SIZE_MAX on out-of-memory. */
static size_t find_location(cpu_build *b, const loc_key *key, size_t *slot) {
    *slot = SIZE_MAX;
    if (hm_imap_reserve(&b->location_map, b->nlocations + 1, loc_hash, b) != 0)
        return SIZE_MAX;
    return hm_imap_find(&b->location_map, loc_hash_of(key), loc_equal, b, key, slot);
}

/* ---- Symbolization -------------------------------------------------------------------------- */

static const Dwfl_Callbacks offline_callbacks = {
    .find_elf = dwfl_build_id_find_elf,
    .find_debuginfo = dwfl_standard_find_debuginfo,
    .section_address = dwfl_offline_section_address,
};

/* The load bias of `m`'s file: where its vaddr 0 was in the process. false when the file cannot
 * be read as ELF. */
static bool load_bias(const hm_cpu_mapping *m, uint64_t *bias) {
    int fd = open(m->file, O_RDONLY);
    if (fd < 0)
        return false;
    Elf *elf = elf_begin(fd, ELF_C_READ, NULL);
    size_t n = 0;
    bool ok = elf != NULL && elf_kind(elf) == ELF_K_ELF && elf_getphdrnum(elf, &n) == 0;
    *bias = m->start - m->offset; /* p_vaddr == p_offset: the usual layout */
    for (size_t i = 0; ok && i < n; i++) {
        GElf_Phdr ph;
        if (gelf_getphdr(elf, (int)i, &ph) == NULL || ph.p_type != PT_LOAD)
            continue;
        uint64_t page_off = ph.p_offset & ~(uint64_t)4095;
        if (m->offset >= page_off && m->offset < ph.p_offset + ph.p_filesz) {
            /* file offset `offset` is at vaddr p_vaddr + (offset - p_offset), at `start` */
            *bias = m->start - (ph.p_vaddr + m->offset - ph.p_offset);
            break;
        }
    }
    if (elf != NULL)
        elf_end(elf);
    close(fd);
    return ok;
}

/* Whether the module's build id is `hex` (an empty `hex` matches any file). */
static bool build_id_matches(Dwfl_Module *mod, const char *hex) {
    if (hex[0] == '\0')
        return true;
    const unsigned char *bits;
    GElf_Addr vaddr;
    int len = dwfl_module_build_id(mod, &bits, &vaddr);
    if (len <= 0 || strlen(hex) != 2 * (size_t)len)
        return false;
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < len; i++)
        if ((hex[2 * i] | 0x20) != digits[bits[i] >> 4] ||
            (hex[2 * i + 1] | 0x20) != digits[bits[i] & 15])
            return false;
    return true;
}

/* Report every mapping's file (mappings of one file at one bias share the module). */
static void open_modules(cpu_build *b) {
    const hm_cpu_profile *cpu = b->cpu;
    uint64_t *bias = calloc(cpu->nmappings + 1, sizeof *bias);
    if (bias == NULL)
        return; /* no symbols: every pc keeps its address */
    for (size_t i = 0; i < cpu->nmappings; i++) {
        const hm_cpu_mapping *m = &cpu->mappings[i];
        if (m->file[0] != '/' || !load_bias(m, &bias[i]))
            continue;
        for (size_t k = 0; k < i && b->modules[i].mod == NULL; k++)
            if (b->modules[k].mod != NULL && bias[k] == bias[i] &&
                strcmp(cpu->mappings[k].file, m->file) == 0)
                b->modules[i] = b->modules[k];
        if (b->modules[i].mod != NULL)
            continue;
        Dwfl *dwfl = dwfl_begin(&offline_callbacks);
        if (dwfl == NULL)
            continue;
        dwfl_report_begin(dwfl);
        Dwfl_Module *mod = dwfl_report_elf(dwfl, m->file, m->file, -1, bias[i], true);
        dwfl_report_end(dwfl, NULL, NULL);
        if (mod == NULL || !build_id_matches(mod, m->build_id)) {
            dwfl_end(dwfl);
            continue;
        }
        b->modules[i] = (module){.dwfl = dwfl, .mod = mod};
    }
    free(bias);
}

static const char *die_string(Dwarf_Die *die, int name) {
    Dwarf_Attribute attr;
    return dwarf_attr_integrate(die, name, &attr) ? dwarf_formstring(&attr) : NULL;
}

/* The frames at address a of mod, innermost first; the number of frames (0: unknown address).
 * dwarf_getscopes() continues past an inlined instance with the scopes of its abstract origin, so
 * the concrete caller of each inlined instance comes from dwarf_getscopes_die() on it. */
/* The compilation unit holding address a. dwfl_module_addrdie() goes through .debug_aranges,
 * which clang does not emit (and libdw 0.188, Debian 12's, has no fallback): then the CUs are
 * walked and each one's own ranges (DW_AT_ranges, low_pc/high_pc) asked. */
static Dwarf_Die *cu_at(Dwfl_Module *mod, Dwarf_Addr a, Dwarf_Addr *bias) {
    Dwarf_Die *cu = dwfl_module_addrdie(mod, a, bias);
    if (cu != NULL)
        return cu;
    while ((cu = dwfl_module_nextcu(mod, cu, bias)) != NULL)
        if (dwarf_haspc(cu, a - *bias) == 1)
            return cu;
    return NULL;
}

static size_t symbolize(Dwfl_Module *mod, Dwarf_Addr a, frame *fr) {
    const char *file = NULL, *dir = NULL;
    int line = 0;
    Dwarf_Addr bias;
    Dwarf_Die *cu = cu_at(mod, a, &bias);
    Dwfl_Line *ln = dwfl_module_getsrc(mod, a);
    if (ln != NULL) {
        file = dwfl_lineinfo(ln, NULL, &line, NULL, NULL, NULL);
        dir = dwfl_line_comp_dir(ln);
    } else if (cu != NULL) { /* the same lookup without aranges: the CU's own line table */
        Dwarf_Line *dl = dwarf_getsrc_die(cu, a - bias);
        if (dl != NULL && dwarf_lineno(dl, &line) == 0) {
            file = dwarf_linesrc(dl, NULL, NULL);
            Dwarf_Attribute attr;
            dir = dwarf_formstring(dwarf_attr(cu, DW_AT_comp_dir, &attr));
        }
    }
    size_t n = 0;
    Dwarf_Die *scopes = NULL;
    int nscopes = cu ? dwarf_getscopes(cu, a - bias, &scopes) : 0;
    for (int i = 0; i < nscopes && n < MAX_FRAMES;) {
        Dwarf_Die *die = &scopes[i];
        int tag = dwarf_tag(die);
        if (tag != DW_TAG_subprogram && tag != DW_TAG_inlined_subroutine) {
            i++;
            continue;
        }
        const char *name = die_string(die, DW_AT_name);
        const char *linkage = die_string(die, DW_AT_linkage_name);
        if (linkage == NULL)
            linkage = die_string(die, DW_AT_MIPS_linkage_name);
        if (name == NULL && tag == DW_TAG_subprogram)
            name = dwfl_module_addrname(mod, a);
        int start = 0;
        dwarf_decl_line(die, &start);
        fr[n++] = (frame){.name = name ? name : "??",
                          .system_name = linkage ? linkage
                                         : name  ? name
                                                 : "??",
                          .file = file,
                          .dir = dir,
                          .line = line,
                          .start_line = start};
        if (tag == DW_TAG_subprogram)
            break;
        /* The next frame out is at this inlined call's site, in the scope that contains it. */
        Dwarf_Attribute attr;
        Dwarf_Word v;
        line = dwarf_formudata(dwarf_attr(die, DW_AT_call_line, &attr), &v) == 0 ? (int)v : 0;
        Dwarf_Files *files;
        size_t nfiles;
        if (dwarf_formudata(dwarf_attr(die, DW_AT_call_file, &attr), &v) == 0 &&
            dwarf_getsrcfiles(cu, &files, &nfiles) == 0 && v < nfiles)
            file = dwarf_filesrc(files, v, NULL, NULL);
        Dwarf_Die *outer = NULL;
        int nouter = dwarf_getscopes_die(die, &outer); /* outer[0] is a copy of die */
        free(scopes);
        scopes = outer;
        nscopes = nouter;
        i = 1;
    }
    free(scopes);
    if (n == 0) { /* no DWARF here: the ELF symbol, and the line table's line if any */
        const char *name = dwfl_module_addrname(mod, a);
        if (name != NULL)
            fr[n++] =
                (frame){.name = name, .system_name = name, .file = file, .dir = dir, .line = line};
    }
    return n;
}

/* The Location id of pcs[k] of sample s; its outermost non-inlined function's name into *outer
 * (borrowed; NULL when unknown). 0 on out-of-memory. */
static uint64_t pc_location(cpu_build *b, const hm_cpu_sample *s, size_t k, const char **outer) {
    loc_key key = {.pc = s->pcs[k], .mapping = s->mapping[k], .shadow = 0, .ret = k > 0};
    *outer = NULL;
    size_t slot, found = find_location(b, &key, &slot);
    if (found != SIZE_MAX) {
        *outer = b->loc_keys[found].outer;
        return b->locations[found]->id;
    }
    if (slot == SIZE_MAX)
        return 0;
    frame fr[MAX_FRAMES];
    size_t n = 0;
    module *md = key.mapping == HM_CPU_NO_MAPPING ? NULL : &b->modules[key.mapping];
    if (md != NULL && md->mod != NULL)
        n = symbolize(md->mod, key.pc - (key.ret ? 1 : 0), fr);
    if (n > 0)
        *outer = key.outer = fr[n - 1].name;
    if (n > 0 && md != NULL) {
        pb_mapping *m = &b->mappings[key.mapping];
        m->has_functions = 1;
        m->has_filenames |= fr[0].file != NULL;
        m->has_line_numbers |= fr[0].line != 0;
    }
    uint64_t mapping_id = key.mapping == HM_CPU_NO_MAPPING ? 0 : key.mapping + 1;
    return add_location(b, &key, slot, fr, n, key.pc, mapping_id);
}

/* The Location id of shadow-stack function f (no address, in the synthetic mapping). */
static uint64_t shadow_location(cpu_build *b, size_t f) {
    loc_key key = {.mapping = b->cpu->nmappings, .shadow = f};
    size_t slot, found = find_location(b, &key, &slot);
    if (found != SIZE_MAX)
        return b->locations[found]->id;
    if (slot == SIZE_MAX)
        return 0;
    const hm_cpu_function *fn = &b->cpu->functions[f];
    frame fr = {.name = fn->name,
                .system_name = fn->name,
                .file = fn->file,
                .line = fn->line,
                .start_line = fn->line};
    return add_location(b, &key, slot, &fr, 1, 0, b->cpu->nmappings + 1);
}

/* ---- The message ---------------------------------------------------------------------------- */

/* How many shadow frames, innermost first, the native frames already show: the largest k such
 * that the functions of the k outermost pcs are the k innermost shadow frames (by name, in
 * order). With one pc this is the sampled function itself when it is instrumented. */
static size_t shadow_overlap(const hm_cpu_profile *cpu, const hm_cpu_sample *s,
                             const char *const *outer) {
    size_t best = 0;
    for (size_t k = 1; k <= s->npcs && k <= s->nstack; k++) {
        bool same = true;
        for (size_t j = 0; same && j < k; j++) {
            const char *native = outer[s->npcs - k + j]; /* leaf-first: pcs[npcs-k] is innermost */
            same = native != NULL && strcmp(native, cpu->functions[s->stack[j]].name) == 0;
        }
        if (same)
            best = k;
    }
    return best;
}

static void build_free(cpu_build *b) {
    for (size_t i = 0; i < b->nstrings; i++)
        free(b->strings[i]);
    free(b->strings);
    for (size_t i = 0; i < b->nfunctions; i++)
        free(b->functions[i]);
    free(b->functions);
    for (size_t i = 0; i < b->nlocations; i++) {
        pb_location *loc = b->locations[i];
        for (size_t k = 0; loc->line != NULL && k < loc->n_line; k++)
            free(loc->line[k]);
        free(loc->line);
        free(loc);
    }
    free(b->locations);
    free(b->loc_keys);
    hm_imap_free(&b->string_map), hm_imap_free(&b->function_map), hm_imap_free(&b->location_map);
    for (size_t i = 0; b->modules != NULL && i < b->cpu->nmappings; i++) {
        bool shared = false; /* a module reused by a later mapping is ended once, at its owner */
        for (size_t k = 0; k < i && !shared; k++)
            shared = b->modules[k].dwfl != NULL && b->modules[k].dwfl == b->modules[i].dwfl;
        if (b->modules[i].dwfl != NULL && !shared)
            dwfl_end(b->modules[i].dwfl);
    }
    free(b->modules);
    free(b->mappings), free(b->mapping_ptrs);
    free(b->samples), free(b->sample_ptrs);
    free(b->location_ids), free(b->values);
}

static int build(cpu_build *b, const hm_cpu_profile *cpu) {
    memset(b, 0, sizeof *b);
    b->cpu = cpu;
    size_t nm = cpu->nmappings + 1, nids = 0;
    for (size_t i = 0; i < cpu->nsamples; i++)
        nids += cpu->samples[i].npcs + cpu->samples[i].nstack;
    b->modules = calloc(nm, sizeof *b->modules);
    b->mappings = calloc(nm, sizeof *b->mappings);
    b->mapping_ptrs = calloc(nm, sizeof *b->mapping_ptrs);
    b->samples = calloc(cpu->nsamples + 1, sizeof *b->samples);
    b->sample_ptrs = calloc(cpu->nsamples + 1, sizeof *b->sample_ptrs);
    b->location_ids = calloc(nids + 1, sizeof *b->location_ids);
    b->values = calloc(2 * cpu->nsamples + 1, sizeof *b->values);
    if (!b->modules || !b->mappings || !b->mapping_ptrs || !b->samples || !b->sample_ptrs ||
        !b->location_ids || !b->values || intern(b, "") != 0)
        return -1;
    int64_t samples = intern(b, "samples"), count = intern(b, "count");
    int64_t cpu_s = intern(b, "cpu"), ns = intern(b, "nanoseconds");
    int64_t comment =
        intern(b, "heatmap: sampled CPU time, native frames then instrumented frames");
    if (samples < 0 || count < 0 || cpu_s < 0 || ns < 0 || comment < 0)
        return -1;
    /* Mappings: the process's, then the synthetic one of the shadow frames. */
    for (size_t i = 0; i < nm; i++) {
        pb_mapping *m = &b->mappings[i];
        perftools__profiles__mapping__init(m);
        m->id = i + 1;
        b->mapping_ptrs[i] = m;
        if (i == cpu->nmappings) {
            m->has_functions = m->has_filenames = m->has_line_numbers = 1;
            continue;
        }
        const hm_cpu_mapping *cm = &cpu->mappings[i];
        m->memory_start = cm->start;
        m->memory_limit = cm->limit;
        m->file_offset = cm->offset;
        m->filename = intern(b, cm->file);
        m->build_id = intern(b, cm->build_id);
        if (m->filename < 0 || m->build_id < 0)
            return -1;
    }
    if (elf_version(EV_CURRENT) == EV_NONE)
        return -1;
    open_modules(b);

    size_t ids = 0, maxpcs = 1;
    for (size_t i = 0; i < cpu->nsamples; i++)
        maxpcs = cpu->samples[i].npcs > maxpcs ? cpu->samples[i].npcs : maxpcs;
    const char **outer = calloc(maxpcs, sizeof *outer);
    if (outer == NULL)
        return -1;
    for (size_t i = 0; i < cpu->nsamples; i++) {
        const hm_cpu_sample *s = &cpu->samples[i];
        pb_sample *sm = &b->samples[i];
        perftools__profiles__sample__init(sm);
        sm->location_id = &b->location_ids[ids];
        for (size_t k = 0; k < s->npcs; k++)
            if ((sm->location_id[sm->n_location_id++] = pc_location(b, s, k, &outer[k])) == 0) {
                free(outer);
                return -1;
            }
        size_t first = shadow_overlap(cpu, s, outer);
        for (size_t k = first; k < s->nstack; k++)
            if ((sm->location_id[sm->n_location_id++] = shadow_location(b, s->stack[k])) == 0) {
                free(outer);
                return -1;
            }
        ids += sm->n_location_id;
        sm->value = &b->values[2 * i];
        sm->n_value = 2;
        sm->value[0] = (int64_t)s->count;
        sm->value[1] = (int64_t)(s->count * cpu->period_ns);
        b->sample_ptrs[i] = sm;
    }
    free(outer);

    pb_profile *pr = &b->profile;
    hm_pprof_head_spec spec = {
        .type = {samples, cpu_s},
        .unit = {count, ns},
        .period_type = cpu_s,
        .period_unit = ns,
        .period = (int64_t)cpu->period_ns,
        .comment = comment,
        .time_ns = cpu->start_unix_ns,
        .duration_ns = cpu->elapsed_ns,
    };
    hm_pprof_head_init(pr, &b->head, &spec);
    hm_pprof_set_tables(pr, &(hm_pprof_tables){.samples = b->sample_ptrs,
                                               .nsamples = cpu->nsamples,
                                               .mappings = b->mapping_ptrs,
                                               .nmappings = nm,
                                               .locations = b->locations,
                                               .nlocations = b->nlocations,
                                               .functions = b->functions,
                                               .nfunctions = b->nfunctions,
                                               .strings = b->strings,
                                               .nstrings = b->nstrings});
    return 0;
}

int hm_pprof_encode_cpu(const hm_cpu_profile *cpu, uint8_t **buf, size_t *len, char *err,
                        size_t errlen) {
    cpu_build b;
    int rc = hm_pprof_pack_built(build(&b, cpu), &b.profile, buf, len, "cpu profile: out of memory",
                                 err, errlen);
    build_free(&b);
    return rc;
}

int hm_export_pprof_cpu(FILE *out, const hm_cpu_profile *cpu, char *err, size_t errlen) {
    uint8_t *raw;
    size_t len;
    if (hm_pprof_encode_cpu(cpu, &raw, &len, err, errlen) != 0)
        return -1;
    int rc = hm_pprof_gzip(out, raw, len, err, errlen);
    free(raw);
    return rc;
}
