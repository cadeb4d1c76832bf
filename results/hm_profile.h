/* CPU samples: load and validate the `cpu_profile` section of results files
 * (docs/results-format.md, "CPU profile").
 *
 * The CPU sampler of the runtime records, per distinct (native pcs, shadow stack), how many
 * samples hit it; each sample stands for period_ns of a thread's CPU time. The loader keeps that
 * shape: it resolves each pc to the mapping that holds it (so addresses of several processes can
 * sit side by side when files are loaded together) and each shadow-stack id to an entry of the
 * profile's own function list. Symbolizing the pcs is the exporter's job (export/export_cpu.c).
 *
 * Errors are one line naming the file and the entry ("run.json: cpu_profile.samples[3]: stack[1]:
 * function id 9 is not in cpu_profile.functions"). Objects are plain data without global state.
 */
#ifndef HEATMAP_PROFILE_H
#define HEATMAP_PROFILE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* An executable mapping of the sampled process: [start, limit) maps file offset `offset` at
 * `start`. */
typedef struct hm_cpu_mapping {
    uint64_t start, limit, offset;
    char *file;     /* absolute path as /proc/self/maps named it ("" when anonymous) */
    char *build_id; /* lowercase hex of NT_GNU_BUILD_ID, "" when none */
} hm_cpu_mapping;

/* An instrumented function of the shadow stacks. */
typedef struct hm_cpu_function {
    char *name;
    char *file; /* "" when unknown */
    uint32_t line;
} hm_cpu_function;

#define HM_CPU_NO_MAPPING SIZE_MAX

typedef struct hm_cpu_sample {
    uint64_t count;  /* samples taken at this (pcs, stack); > 0 */
    uint64_t *pcs;   /* native pcs, leaf first: pcs[0] exact, the rest return addresses */
    size_t *mapping; /* per pc: index into hm_cpu_profile.mappings or HM_CPU_NO_MAPPING */
    size_t npcs;
    size_t *stack; /* shadow stack, innermost first: indexes into hm_cpu_profile.functions */
    size_t nstack;
} hm_cpu_sample;

typedef struct hm_cpu_profile {
    uint64_t hz, period_ns; /* of the first file (files with another period are refused) */
    uint64_t samples_dropped;
    uint64_t unmapped_pcs; /* pcs (weighted by nothing: one per pc entry) outside every mapping */
    hm_cpu_mapping *mappings;
    size_t nmappings;
    hm_cpu_function *functions;
    size_t nfunctions;
    hm_cpu_sample *samples;
    size_t nsamples;
    size_t nfiles;
    uint64_t elapsed_ns;    /* largest elapsed_ns of the files */
    uint64_t start_unix_ns; /* earliest start_unix_ns of the files (0 when unknown) */
    char *program;          /* "program" of the first file ("" when unknown) */
} hm_cpu_profile;

/* Load the cpu_profile sections of n >= 1 results files into one profile (mappings, functions
 * and samples side by side; sums of samples_dropped). Returns 0 and a new object in *out, or -1
 * with *out NULL and a one-line message naming the file and the entry. A file without the section
 * is an error that says the CPU sampler did not run. "-" reads standard input.
 *
 * Checked: hz, period_ns, samples_dropped non-negative integers, period_ns > 0 and equal across
 * files; every mapping has id, start < limit, offset (integers >= 0), file and build_id strings,
 * ids unique; functions are [id >= 0, "name", "file", line >= 0] with unique ids; every sample has
 * count > 0, a pcs array of integers >= 0 and a stack array of ids of `functions`. A pc outside
 * every mapping is allowed (counted in unmapped_pcs). */
int hm_cpu_profile_load_many(const char *const *paths, size_t n, hm_cpu_profile **out, char *err,
                             size_t errlen);

/* The same from one buffer; `name` stands for the file in messages. */
int hm_cpu_profile_load_buffer(const char *data, size_t len, const char *name, hm_cpu_profile **out,
                               char *err, size_t errlen);

void hm_cpu_profile_free(hm_cpu_profile *profile);

/* Sum of the samples' counts. */
uint64_t hm_cpu_profile_total_samples(const hm_cpu_profile *profile);

#ifdef __cplusplus
}
#endif
#endif /* HEATMAP_PROFILE_H */
