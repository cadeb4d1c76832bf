/* heatmap plugin: what the pass body's files share — the per-module state and a few IR basics.
 *
 * The pass body is split the way LLVM keeps EscapeEnumerator apart from the instrumenters that use
 * it: select.c decides which functions to instrument (the config, the trivial rule, the skip
 * rules), exits.c finds every way out of a function (returns, musttail calls, and the `resume`s
 * that exceptions are routed through), emit.c writes the enter/exit calls, the records and the
 * module's table, and instrument.c runs the steps over a module (its header comment shows the IR
 * the pass produces). select.c, exits.c and emit.c know nothing of each other; only instrument.c
 * uses them. Everything here is internal to heatmap.so. The basics are static inline so that each
 * file keeps its own copy and no file depends on another for them.
 */
#ifndef HEATMAP_PLUGIN_PASS_H
#define HEATMAP_PLUGIN_PASS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <llvm-c/Core.h>
#include <llvm/Config/llvm-config.h>

#include "hm_plugin.h"

/* One runtime entry point as seen from this module. `fn` may be a user's earlier declaration of a
 * different type; calls then go through a cast of it to `type`. */
typedef struct hm_hook {
    LLVMTypeRef type;
    LLVMValueRef callee;
    unsigned call_conv; /* LLVMCallConv of the runtime's definition (abi.h, HM_ABI_HOOK) */
} hm_hook;

typedef struct hm_pass_file {
    char *path;
    LLVMValueRef global;
} hm_pass_file;

/* Everything one run of the pass over one module needs; lives on the stack of
 * hm_instrument_module, so concurrent runs share nothing. */
typedef struct hm_pass_state {
    LLVMContextRef ctx;
    LLVMModuleRef module;
    LLVMBuilderRef builder;
    LLVMTypeRef i1, i8, i32, i64, i8ptr, record_type;
    unsigned kind_nounwind, kind_naked, kind_returns_twice;
    hm_hook enter, exit, count, landing;
    LLVMValueRef recording;   /* @__heatmap_recording_v3 (as i32* with typed pointers) */
    LLVMValueRef counts;      /* @__heatmap_counts_v3, the thread's count-only counters (i64**) */
    unsigned kind_prof;       /* metadata kind of branch weights */
    unsigned kind_nosanitize; /* metadata kind: sanitizers leave the guard's load alone */
    LLVMValueRef personality; /* for functions that get their first landing pad; lazily */
    hm_pass_file *files;
    size_t file_count;
    LLVMValueRef *records;
    size_t record_count;
} hm_pass_state;

/* Facts about one function, gathered before deciding. */
typedef struct hm_function_info {
    const char *symbol;
    char *name;       /* hm_display_name */
    char *file;       /* as the compiler saw it (DIFile filename, else the module's source) */
    char *match_path; /* what the config matches: `file` made absolute with the DIFile directory */
    unsigned line;    /* DISubprogram line, 0 without debug info */
} hm_function_info;

/* ---- Basics ---------------------------------------------------------------------------------- */

static inline char *copy_n(const char *s, size_t n) {
    char *out = (char *)hm_xmalloc(n + 1);
    memcpy(out, s ? s : "", n);
    out[n] = '\0';
    return out;
}

static inline bool starts_with(const char *s, const char *prefix) {
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* A pointer constant as i8*: a bitcast with typed pointers, the value itself with opaque ones. */
static inline LLVMValueRef as_i8ptr(hm_pass_state *st, LLVMValueRef v) {
#if LLVM_VERSION_MAJOR >= 17
    (void)st;
    return v; /* typed pointers are gone: every pointer is `ptr` */
#else
    return LLVMConstBitCast(v, st->i8ptr);
#endif
}

static inline bool has_fn_attr(LLVMValueRef fn, unsigned kind) {
    return LLVMGetEnumAttributeAtIndex(fn, LLVMAttributeFunctionIndex, kind) != NULL;
}

static inline void add_fn_attr(hm_pass_state *st, LLVMValueRef fn, unsigned kind) {
    LLVMAddAttributeAtIndex(fn, LLVMAttributeFunctionIndex,
                            LLVMCreateEnumAttribute(st->ctx, kind, 0));
}

/* The function a call or personality refers to, looking through a pointer cast; NULL if none. */
static inline LLVMValueRef strip_cast_to_function(LLVMValueRef v) {
    if (v && LLVMIsAConstantExpr(v) && LLVMGetConstOpcode(v) == LLVMBitCast)
        v = LLVMGetOperand(v, 0);
    return v && LLVMIsAFunction(v) ? v : NULL;
}

/* Positions the builder before `inst` without taking over its debug location (LLVM-C's
 * LLVMPositionBuilderBefore does, and the builder would then stamp it on everything it inserts
 * later, also into other blocks and functions). The builder never carries a debug location:
 * what the pass creates gets one explicitly, and instructions it moves keep theirs. */
static inline void position_before(hm_pass_state *st, LLVMValueRef inst) {
    LLVMPositionBuilderBefore(st->builder, inst);
    LLVMSetCurrentDebugLocation2(st->builder, NULL);
}

/* ---- select.c: which functions --------------------------------------------------------------- */

/* Fills `info` for `fn`: its symbol (owned by LLVM), display name, source file and line (from
 * debug info, else `module_source` for a definition) and the path the config matches. The strings
 * are malloc'd (NULL when unknown); free them with hm_select_free_info. */
void hm_select_gather_info(LLVMValueRef fn, const char *module_source, hm_function_info *info);

void hm_select_free_info(hm_function_info *info);

/* Whether to instrument `fn` (not an intrinsic), by the skip rules (declarations, the runtime's
 * own functions, __clang_call_terminate, forwarding wrappers, available_externally, naked), the
 * config's selection and the trivial rule. Returns true to instrument; `reason` (of `size` bytes)
 * always receives the reason for the report ("included", "trivial", "excluded by ..."). */
bool hm_select_function(hm_pass_state *st, const hm_config *cfg, LLVMValueRef fn,
                        const hm_function_info *info, char *reason, size_t size);

/* Whether `fn`, not instrumented, may still get landing calls after its setjmp calls (the calls
 * instrumented callees are unwound to): a definition, not the runtime's own, not
 * available_externally, not naked. */
bool hm_select_may_land(hm_pass_state *st, LLVMValueRef fn, const hm_function_info *info);

/* ---- exits.c: every way out ------------------------------------------------------------------ */

/* The `ret` instructions of `fn`, in a malloc'd array (NULL and *n == 0 when there are none).
 * Collect them before any block is split. */
LLVMValueRef *hm_exits_returns(LLVMValueRef fn, size_t *n);

/* Where the exit call for `ret` goes: before it, or before the `musttail` call (and optional
 * bitcast) that must immediately precede it. */
LLVMValueRef hm_exits_return_point(LLVMValueRef ret);

/* Makes every exception that leaves `fn` pass through a `resume` in `fn` (landing pads become
 * cleanups; calls that may throw become invokes unwinding to one new cleanup block, whose new
 * instructions get `loc`), and returns those `resume`s in a malloc'd array (NULL and *n == 0 when
 * there are none, or `fn` uses a funclet-based personality, which is left alone).
 * Call it only for a function that is not nounwind. */
LLVMValueRef *hm_exits_unwind(hm_pass_state *st, LLVMValueRef fn, LLVMMetadataRef loc, size_t *n);

/* The calls of `fn` where a longjmp can land: calls of setjmp, _setjmp, sigsetjmp or __sigsetjmp
 * (returns_twice, integer result: non-zero after a longjmp), in a malloc'd array (NULL and *n == 0
 * when there are none). Other returns_twice functions (vfork, getcontext) are
 * left alone: a vfork child shares the parent's memory, and a context may be on another stack. */
LLVMValueRef *hm_exits_landings(hm_pass_state *st, LLVMValueRef fn, size_t *n);

/* ---- emit.c: the calls and the tables -------------------------------------------------------- */

/* Declares the enter and exit hooks and the recording flag in the module (once, before the first
 * hm_emit_enter / hm_emit_exit). */
void hm_emit_hooks(hm_pass_state *st);

/* The function's record `@__heatmap.rec.SYMBOL` (name, file, line, id slot, state: timed, or
 * pinned for a function that calls setjmp), also added to the module's list for
 * hm_emit_table_and_ctor. */
LLVMValueRef hm_emit_record(hm_pass_state *st, const hm_function_info *info, bool pinned);

/* The debug location of the hook calls: the subprogram's scope line; NULL without debug info. */
LLVMMetadataRef hm_emit_location(hm_pass_state *st, LLVMValueRef fn);

/* The entry at the top of `fn`, after the entry block's allocas: when recording, the enter call
 * if the record's state is timed, else the inline count (blocks heatmap.check, heatmap.enter,
 * heatmap.count, heatmap.count.add, heatmap.count.new, heatmap.body); when `pinned`, the enter
 * call without a state test (blocks heatmap.enter, heatmap.body). Returns `%heatmap.timed`, the
 * i1 at the top of heatmap.body that says whether enter was called. */
LLVMValueRef hm_emit_enter(hm_pass_state *st, LLVMValueRef fn, LLVMValueRef record,
                           LLVMMetadataRef loc, bool pinned);

/* The exit call just before `before`, made when `timed` (from hm_emit_enter) is true (block
 * heatmap.exit; `before` and what follows it move to a block named `tail_name`). */
void hm_emit_exit(hm_pass_state *st, LLVMValueRef record, LLVMValueRef timed, LLVMValueRef before,
                  LLVMMetadataRef loc, const char *tail_name);

/* The landing call after `call`, a setjmp-like call (hm_exits_landings): when recording and
 * `call` returned non-zero (a longjmp landed), __heatmap_landing_v3 with the record when `timed`
 * (from hm_emit_enter), else null (blocks heatmap.landing, heatmap.landed). `record` and `timed`
 * are NULL in a function that is not instrumented. */
void hm_emit_landing(hm_pass_state *st, LLVMValueRef record, LLVMValueRef timed, LLVMValueRef call,
                     LLVMMetadataRef loc);

/* The module's table of records and the constructor that registers it (only when records exist),
 * then the marker that tells a later run the module is instrumented. */
void hm_emit_table_and_ctor(hm_pass_state *st);
/* The module's copy of the config's runtime: settings (abi.h, hm_settings_record), when it sets
 * any; emitted with the table, so only a module that needs the runtime references it. */
void hm_emit_settings(hm_pass_state *st, const hm_config *cfg);
void hm_emit_marker(hm_pass_state *st);

#endif /* HEATMAP_PLUGIN_PASS_H */
