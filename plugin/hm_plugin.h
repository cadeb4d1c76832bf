/* heatmap plugin internals: the interface between the C++ registration shim and the C pass body.
 *
 * The pass body (instrument.c with select.c, exits.c and emit.c, which share pass.h;
 * config_cache.c; report.c) is C11 over the LLVM-C API only. The shim (registration.cpp) owns
 * everything that LLVM offers only in C++: the new pass manager registration, the command-line
 * options, diagnostics, and the queries and edits that LLVM-C 14 lacks (hm_llvm_*). Nothing in this
 * header is exported from heatmap.so except through llvmGetPassPluginInfo.
 */
#ifndef HEATMAP_PLUGIN_H
#define HEATMAP_PLUGIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <llvm-c/Types.h>

#include "hm_config.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Memory for the pass. When it runs out the compilation stops, as it does when LLVM's own
 * allocations fail (llvm::report_bad_alloc_error): carrying on would leave a module uninstrumented,
 * or a function with its enter call and not its exits, and the run's figures wrong without a word.
 */
static inline void *hm_plugin_checked(void *p) {
    if (p == NULL) {
        fputs("heatmap: out of memory while instrumenting; the compilation stops\n", stderr);
        abort();
    }
    return p;
}
static inline void *hm_xmalloc(size_t n) {
    return hm_plugin_checked(malloc(n ? n : 1));
}
static inline void *hm_xcalloc(size_t n, size_t size) {
    return hm_plugin_checked(calloc(n ? n : 1, size ? size : 1));
}
static inline void *hm_xrealloc(void *p, size_t n) {
    return hm_plugin_checked(realloc(p, n ? n : 1));
}
static inline char *hm_xstrdup(const char *s) {
    return (char *)memcpy(hm_xmalloc(strlen(s) + 1), s, strlen(s) + 1);
}

/* Where in the pipeline the pass was scheduled. Callbacks are registered before any source is
 * seen, so the shim schedules the pass at both extension points and the body acts at the one the
 * module's config asks for (`instrument: before-inlining` or `after-inlining`). */
typedef enum hm_plugin_stage {
    HM_STAGE_EXPLICIT = 0,       /* opt -passes=heatmap: always act */
    HM_STAGE_PIPELINE_START = 1, /* PipelineStartEP, and at link time FullLinkTimeOptimization-
                                    EarlyEP and OptimizerEarlyEP (LLVM >= 16): acts for
                                    HM_INSTRUMENT_BEFORE_INLINING */
    HM_STAGE_OPTIMIZER_LAST = 2, /* OptimizerLastEP, and FullLinkTimeOptimizationLastEP: acts for
                                    HM_INSTRUMENT_AFTER_INLINING */
} hm_plugin_stage;

typedef struct hm_plugin_options {
    const char *config_path; /* -heatmap-config=PATH, or NULL/"" when not given */
    const char *report_path; /* -heatmap-report=PATH, or NULL/"" when not given */
    hm_plugin_stage stage;
} hm_plugin_options;

/* Instrument one module (see the header comment of instrument.c for the IR it produces).
 * Returns 1 when the module changed, 0 when it did not, and -1 on a configuration error: then
 * err->message holds "FILE:LINE:COL: error: ..." for the caller to print, or is empty when the same
 * error was already reported earlier in this process (the caller stays quiet then). Thread-safe:
 * LTO backends may call it concurrently on different modules. */
int hm_instrument_module(LLVMModuleRef module, const hm_plugin_options *options,
                         hm_config_error *err);

/* --- config_cache.c -------------------------------------------------------------------------- */

/* The config for a module whose main source file is `source_file` (may be NULL), looked up in
 * order: options->config_path, $HEATMAP_CONFIG, the nearest heatmap.yaml upward from the source
 * file, the default config. Each file is parsed once per process and cached (also failures).
 * Returns NULL on a parse error; then err->message holds the diagnostic the first time a given
 * file fails and is empty on later calls. Thread-safe. */
const hm_config *hm_plugin_config(const char *source_file, const hm_plugin_options *options,
                                  hm_config_error *err);

/* --- report.c ------------------------------------------------------------------------------ */

typedef struct hm_report hm_report;

/* Opens the report named by options->report_path or $HEATMAP_REPORT for appending; NULL when
 * neither is set or the file cannot be opened (a warning goes to stderr once). */
hm_report *hm_report_open(const hm_plugin_options *options);

/* Appends one JSON line for a function; `file` may be NULL. Each line is written with a single
 * write(2) on an O_APPEND descriptor, so parallel compilations do not interleave lines. */
void hm_report_function(hm_report *report, const char *module, const char *symbol, const char *name,
                        const char *file, unsigned line, bool instrumented, const char *reason);

void hm_report_close(hm_report *report);

/* --- registration.cpp: LLVM-C gaps in LLVM 14 ----------------------------------------------- */

/* DISubprogram::getScopeLine() (the line of the function body's opening brace). */
unsigned hm_llvm_subprogram_scope_line(LLVMMetadataRef subprogram);

/* True when `inst` is a call marked `musttail`. */
bool hm_llvm_is_musttail_call(LLVMValueRef inst);

/* Marks a call `notail`, so that the backend never turns it into a tail call. */
void hm_llvm_set_notail(LLVMValueRef call);

/* llvm::SplitBlockAndInsertIfThen (LLVM-C cannot split a block): splits the block of
 * `split_before` just before it and makes it
 *     HEAD:  ...  br i1 %cond, label %THEN, label %TAIL, !prof (likely taken)
 *     THEN:  br label %TAIL
 *     TAIL:  split_before ...
 * naming THEN and TAIL `then_name` and `tail_name`. The two branches get `loc` when it is not
 * NULL (else the location of `split_before`). Returns THEN's terminator: insert the guarded code
 * before it. `cond` must be an i1 instruction in the same block, before `split_before`. */
LLVMValueRef hm_llvm_split_if_then(LLVMValueRef cond, LLVMValueRef split_before,
                                   const char *then_name, const char *tail_name,
                                   LLVMMetadataRef loc);

#ifdef __cplusplus
}
#endif
#endif /* HEATMAP_PLUGIN_H */
