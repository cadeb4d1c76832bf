/* heatmap plugin: the pass over one module — the steps, in order, and the IR they produce.
 *
 * C11 over the LLVM-C API (plus the few things LLVM-C 14 lacks, from registration.cpp). For every
 * selected function the pass calls the runtime at entry and before every way out, and it gives the
 * module one table of records that a constructor registers with the runtime. Modelled on LLVM's
 * EntryExitInstrumenter (placement, debug locations, musttail) and on EscapeEnumerator, which
 * ThreadSanitizer uses to see exceptions leave a function. This file runs the steps; the work is
 * in select.c (which functions), exits.c (where they are left) and emit.c (what is inserted):
 *
 *   STEP 1  a module that carries the marker has been instrumented already: leave it;
 *   STEP 2  find the module's config; act only at the extension point it asks for;
 *   STEP 3  list the module's functions, before the pass adds any;
 *   STEP 4  per function: decide (select.c), with a reason for the report;
 *   STEP 5  per selected function: its `ret`s and setjmp calls (exits.c), collected before any
 *           block is split, and its record (pinned, never count-only, when it calls setjmp);
 *   STEP 6  the guarded entry (the enter call, or the inline count of a throttled function) and
 *           its %heatmap.timed; an exit call, made when that is true, before every `ret` or the
 *           `musttail` call before it (emit.c); after every setjmp call, when it returns non-zero
 *           (a longjmp landed), the landing call that closes the unwound frames (emit.c);
 *   STEP 6b per function left out (a definition that may get calls), in a module that
 *           instruments some: the same landing call after its setjmp calls, without a record,
 *           since a longjmp to it unwinds instrumented callees;
 *   STEP 7  if the function may unwind: route every exception through a `resume` of its own
 *           (exits.c) and put a guarded exit call before each `resume` (emit.c);
 *   STEP 8  the table of records, the constructor that registers it, the config's runtime:
 *           settings (when it has any) and the marker (emit.c).
 *
 * The IR it produces, for LLVM 14's typed pointers (with opaque pointers every pointer is `ptr` and
 * the bitcasts disappear):
 *
 *   @__heatmap.name = private unnamed_addr constant [4 x i8] c"foo\00"
 *   @__heatmap.file = private unnamed_addr constant [6 x i8] c"foo.c\00"
 *   @__heatmap.rec.foo = internal global { i8*, i8*, i32, i32, i8 }
 *       { i8* <@__heatmap.name>, i8* <@__heatmap.file>, i32 3, i32 0, i8 0 } ; line 3, id 0, timed
 *   @__heatmap.records = internal constant [1 x i8*] [i8* <@__heatmap.rec.foo>]
 *   @__heatmap.table = internal global { i32, i32, i8* } { i32 2, i32 1, i8* <@__heatmap.records> }
 *   @__heatmap.settings = private constant { i32, i32, [N x i8] } { i32 1, i32 N,
 *       [N x i8] c"#config=/p/heatmap.yaml\0AHEATMAP_OUTPUT=out.json\0A\00" },
 *       section "heatmap_settings", align 4                 ; only with a runtime: section
 *   @__heatmap.settings.abi = private constant i8* <@__heatmap_settings_v1>  ; ditto
 *   @llvm.used = appending global [2 x i8*] [<@__heatmap.settings>, <@__heatmap.settings.abi>]
 *   @__heatmap_instrumented_module = private constant i8 1
 *   @llvm.global_ctors = appending global [N x { i32, void ()*, i8* }]
 *       [ ...existing entries..., { i32 1, void ()* @heatmap.module_ctor, i8* null } ]
 *   @llvm.compiler.used = appending global [N x i8*] [ ..., i8* @__heatmap_instrumented_module ]
 *
 *   @__heatmap_recording_v3 = external global i32    ; the runtime's recording flag (landings)
 *   @__heatmap_counts_v3 = external thread_local(initialexec) global i64*  ; count-only counters
 *
 *   define i32 @foo(i32 %x) personality ... {
 *   entry:
 *     %x.addr = alloca i32                           ; the entry block's allocas stay first
 *     %heatmap.state = load atomic i8, i8* <@__heatmap.rec.foo.state> monotonic, align 8,
 *                      !nosanitize, !dbg <scope line>  ; timed, count-only or off (abi.h)
 *     %heatmap.counted = icmp eq i8 %heatmap.state, 1
 *     br i1 %heatmap.counted, label %heatmap.count, label %heatmap.check, !prof <likely taken>
 *   heatmap.check:
 *     %heatmap.timed.now = icmp eq i8 %heatmap.state, 0
 *     br i1 %heatmap.timed.now, label %heatmap.enter, label %heatmap.body   ; else off
 *   heatmap.enter:
 *     call void @__heatmap_enter_v3(i8* <@__heatmap.rec.foo>) #nounwind, !dbg <scope line>
 *     br label %heatmap.body
 *   heatmap.count:                                   ; throttled: counts[id] += 1 inline, or
 *     ...                                            ; __heatmap_count_v3 for the first (emit.c)
 *   heatmap.body:
 *     %heatmap.timed = phi i1 [ false, %heatmap.check ], [ true, %heatmap.enter ], [ false, ... ]
 *     ...
 *     %r = invoke i32 @may_throw(i32 %x)             ; was `call`: foo is not nounwind
 *             to label %heatmap.cont unwind label %heatmap.cleanup
 *   heatmap.cont:
 *     br i1 %heatmap.timed, label %heatmap.exit, label %heatmap.ret ; before the `ret`, or
 *   heatmap.exit:                                    ; the `musttail` call that must precede it
 *     call void @__heatmap_exit_v3(i8* <@__heatmap.rec.foo>), !dbg <scope line>
 *     br label %heatmap.ret
 *   heatmap.ret:
 *     ret i32 %r
 *   heatmap.cleanup:
 *     %lp = landingpad { i8*, i32 } cleanup          ; the landingpad stays first
 *     br i1 %heatmap.timed, ..., then in heatmap.exit:
 *     call void @__heatmap_exit_v3(i8* <@__heatmap.rec.foo>), !dbg <scope line>
 *   heatmap.resume:
 *     resume { i8*, i32 } %lp                        ; every `resume` gets an exit call
 *   }
 *
 *   define internal void @heatmap.module_ctor() nounwind {
 *     call void @__heatmap_register_v3(i8* <@__heatmap.table>)
 *     ret void
 *   }
 *
 * <@g> stands for `bitcast (... @g to i8*)`. The constructor runs at priority 1, before user
 * constructors, so records are registered before instrumented constructors run; the runtime
 * initialises itself lazily from __heatmap_register_v3. Its register call is not guarded: the
 * flag is off until the runtime has started, and registration is what starts it. Every enter call
 * is, and every exit call is made only when its entry called enter (%heatmap.timed): with
 * recording off (HEATMAP=off) a call costs a load and a branch at entry and a branch per exit.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>

#include "heatmap/abi.h"
#include "pass.h"

/* STEPs 5 to 7 for one selected function. */
static void instrument_function(hm_pass_state *st, LLVMValueRef fn, const hm_function_info *info) {
    /* STEP 5: a function that calls setjmp is pinned (never count-only), so that a longjmp
     * landing in it finds its frame, and with it which frames above were unwound. */
    size_t nrets = 0, nlandings = 0;
    LLVMValueRef *rets = hm_exits_returns(fn, &nrets);
    LLVMValueRef *landings = hm_exits_landings(st, fn, &nlandings);
    LLVMValueRef record = hm_emit_record(st, info, nlandings > 0);
    LLVMMetadataRef loc = hm_emit_location(st, fn);
    /* STEP 6 */
    LLVMValueRef timed = hm_emit_enter(st, fn, record, loc, nlandings > 0);
    for (size_t r = 0; r < nrets; r++)
        hm_emit_exit(st, record, timed, hm_exits_return_point(rets[r]), loc, "heatmap.ret");
    free(rets);
    for (size_t l = 0; l < nlandings; l++)
        hm_emit_landing(st, record, timed, landings[l], loc);
    free(landings);
    /* STEP 7: only for functions that may unwind at all. */
    if (!has_fn_attr(fn, st->kind_nounwind)) {
        size_t nresumes = 0;
        LLVMValueRef *resumes = hm_exits_unwind(st, fn, loc, &nresumes);
        for (size_t r = 0; r < nresumes; r++)
            hm_emit_exit(st, record, timed, resumes[r], loc, "heatmap.resume");
        free(resumes);
    }
}

int hm_instrument_module(LLVMModuleRef module, const hm_plugin_options *options,
                         hm_config_error *err) {
    err->message[0] = '\0';
    /* STEP 1 */
    if (LLVMGetNamedGlobal(module, HM_MODULE_MARKER))
        return 0;
    /* STEP 2 */
    size_t src_len = 0;
    const char *src_ref = LLVMGetSourceFileName(module, &src_len);
    char *source = copy_n(src_ref, src_len);
    const hm_config *cfg = hm_plugin_config(source, options, err);
    if (!cfg) {
        free(source);
        return -1;
    }
    if (options->stage != HM_STAGE_EXPLICIT) {
        bool before = hm_config_instrument_point(cfg) == HM_INSTRUMENT_BEFORE_INLINING;
        if (before != (options->stage == HM_STAGE_PIPELINE_START)) {
            free(source);
            return 0;
        }
    }

    hm_pass_state st = {0};
    st.module = module;
    st.ctx = LLVMGetModuleContext(module);
    st.builder = LLVMCreateBuilderInContext(st.ctx);
    st.i1 = LLVMInt1TypeInContext(st.ctx);
    st.i8 = LLVMInt8TypeInContext(st.ctx);
    st.i32 = LLVMInt32TypeInContext(st.ctx);
    st.i64 = LLVMInt64TypeInContext(st.ctx);
    st.i8ptr = LLVMPointerType(st.i8, 0);
    LLVMTypeRef record_fields[5] = {st.i8ptr, st.i8ptr, st.i32, st.i32, st.i8};
    st.record_type = LLVMStructTypeInContext(st.ctx, record_fields, 5, 0);
    st.kind_nounwind = LLVMGetEnumAttributeKindForName("nounwind", 8);
    st.kind_naked = LLVMGetEnumAttributeKindForName("naked", 5);
    st.kind_returns_twice = LLVMGetEnumAttributeKindForName("returns_twice", 13);
    st.kind_nosanitize = LLVMGetMDKindIDInContext(st.ctx, "nosanitize", 10);
    st.kind_prof = LLVMGetMDKindIDInContext(st.ctx, "prof", 4);
    hm_report *report = hm_report_open(options);

    /* STEP 3 */
    size_t nfns = 0;
    for (LLVMValueRef f = LLVMGetFirstFunction(module); f; f = LLVMGetNextFunction(f))
        nfns++;
    LLVMValueRef *fns = hm_xmalloc(nfns * sizeof *fns);
    st.records = hm_xmalloc(nfns * sizeof *st.records);
    LLVMValueRef *left_out = hm_xmalloc(nfns * sizeof *left_out); /* for STEP 6b */
    size_t nleft_out = 0;
    size_t k = 0;
    for (LLVMValueRef f = LLVMGetFirstFunction(module); f && k < nfns; f = LLVMGetNextFunction(f))
        fns[k++] = f;

    /* STEPs 4 to 7 for each function; intrinsics are not even reported. */
    bool hooks_ready = false;
    for (size_t i = 0; i < nfns; i++) {
        LLVMValueRef fn = fns[i];
        if (LLVMGetIntrinsicID(fn) != 0)
            continue;
        hm_function_info info;
        hm_select_gather_info(fn, source, &info);
        char reason[1024];
        bool instrument = hm_select_function(&st, cfg, fn, &info, reason, sizeof reason);
        if (instrument) {
            if (!hooks_ready) {
                hm_emit_hooks(&st);
                hooks_ready = true;
            }
            instrument_function(&st, fn, &info);
        } else if (hm_select_may_land(&st, fn, &info)) {
            left_out[nleft_out++] = fn;
        }
        hm_report_function(report, source, info.symbol, info.name, info.file, info.line, instrument,
                           reason);
        hm_select_free_info(&info);
    }

    /* STEP 6b: a longjmp into a function left out still unwinds instrumented callees. Only in a
     * module that instruments something: one that does not needs no runtime to link, as before. */
    for (size_t i = 0; st.record_count > 0 && i < nleft_out; i++) {
        size_t nlandings = 0;
        LLVMValueRef *landings = hm_exits_landings(&st, left_out[i], &nlandings);
        LLVMMetadataRef loc = nlandings ? hm_emit_location(&st, left_out[i]) : NULL;
        for (size_t l = 0; l < nlandings; l++)
            hm_emit_landing(&st, NULL, NULL, landings[l], loc);
        free(landings);
    }
    free(left_out);

    /* STEP 8 */
    if (st.record_count > 0) {
        hm_emit_table_and_ctor(&st);
        hm_emit_settings(&st, cfg);
    }
    hm_emit_marker(&st);

    hm_report_close(report);
    for (size_t i = 0; i < st.file_count; i++)
        free(st.files[i].path);
    free(st.files);
    free(st.records);
    free(fns);
    free(source);
    LLVMDisposeBuilder(st.builder);
    return 1;
}
