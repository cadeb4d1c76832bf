/* heatmap plugin: the pass body — insert enter/exit calls and the module's function table.
 *
 * C11 over the LLVM-C API (plus the few things LLVM-C 14 lacks, from registration.cpp). For every
 * selected function the pass calls the runtime at entry and before every way out, and it gives the
 * module one table of records that a constructor registers with the runtime. Modelled on LLVM's
 * EntryExitInstrumenter (placement, debug locations, musttail) and on EscapeEnumerator, which
 * ThreadSanitizer uses to see exceptions leave a function.
 *
 * The IR it produces, for LLVM 14's typed pointers (with opaque pointers every pointer is `ptr` and
 * the bitcasts disappear):
 *
 *   @__heatmap.name = private unnamed_addr constant [4 x i8] c"foo\00"
 *   @__heatmap.file = private unnamed_addr constant [6 x i8] c"foo.c\00"
 *   @__heatmap.rec.foo = internal global { i8*, i8*, i32, i32 }
 *       { i8* <@__heatmap.name>, i8* <@__heatmap.file>, i32 3, i32 0 }      ; line 3, id 0
 *   @__heatmap.records = internal constant [1 x i8*] [i8* <@__heatmap.rec.foo>]
 *   @__heatmap.table = internal global { i32, i32, i8* } { i32 1, i32 1, i8* <@__heatmap.records> }
 *   @__heatmap_instrumented_module = private constant i8 1
 *   @llvm.global_ctors = appending global [N x { i32, void ()*, i8* }]
 *       [ ...existing entries..., { i32 1, void ()* @heatmap.module_ctor, i8* null } ]
 *   @llvm.compiler.used = appending global [N x i8*] [ ..., i8* @__heatmap_instrumented_module ]
 *
 *   @__heatmap_recording_v1 = external global i32            ; the runtime's recording flag
 *
 *   define i32 @foo(i32 %x) personality ... {
 *   entry:
 *     %x.addr = alloca i32                           ; the entry block's allocas stay first
 *     %heatmap.recording = load atomic i32, i32* @__heatmap_recording_v1 monotonic, align 4,
 *                          !nosanitize, !dbg <scope line>
 *     %heatmap.on = icmp ne i32 %heatmap.recording, 0
 *     br i1 %heatmap.on, label %heatmap.enter, label %heatmap.body, !prof <likely taken>
 *   heatmap.enter:
 *     call void @__heatmap_enter_v1(i8* <@__heatmap.rec.foo>) #nounwind, !dbg <scope line>
 *     br label %heatmap.body
 *   heatmap.body:
 *     ...
 *     %r = invoke i32 @may_throw(i32 %x)             ; was `call`: foo is not nounwind
 *             to label %heatmap.cont unwind label %heatmap.cleanup
 *   heatmap.cont:
 *     <the same guard>                               ; before the `ret`, or before the `musttail`
 *   heatmap.exit:                                    ; call that must precede it
 *     call void @__heatmap_exit_v1(i8* <@__heatmap.rec.foo>), !dbg <scope line>
 *     br label %heatmap.ret
 *   heatmap.ret:
 *     ret i32 %r
 *   heatmap.cleanup:
 *     %lp = landingpad { i8*, i32 } cleanup          ; the landingpad stays first
 *     <the same guard>, then in heatmap.exit:
 *     call void @__heatmap_exit_v1(i8* <@__heatmap.rec.foo>), !dbg <scope line>
 *   heatmap.resume:
 *     resume { i8*, i32 } %lp                        ; every `resume` gets an exit call
 *   }
 *
 *   define internal void @heatmap.module_ctor() nounwind {
 *     call void @__heatmap_register_v1(i8* <@__heatmap.table>)
 *     ret void
 *   }
 *
 * <@g> stands for `bitcast (... @g to i8*)`. The constructor runs at priority 1, before user
 * constructors, so records are registered before instrumented constructors run; the runtime
 * initialises itself lazily from __heatmap_register_v1. Its register call is not guarded: the
 * flag is off until the runtime has started, and registration is what starts it. Every enter and
 * exit call is: with recording off (HEATMAP=off) a call costs the load and a branch.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <llvm-c/Core.h>
#include <llvm-c/DebugInfo.h>
#include <llvm/Config/llvm-config.h>

#include "heatmap/abi.h"
#include "hm_plugin.h"

#define HM_CTOR_NAME "heatmap.module_ctor"
#define HM_CTOR_PRIORITY 1

/* One runtime entry point as seen from this module. `fn` may be a user's earlier declaration of a
 * different type; calls then go through a cast of it to `type`. */
typedef struct hook {
    LLVMTypeRef type;
    LLVMValueRef callee;
} hook;

typedef struct file_string {
    char *path;
    LLVMValueRef global;
} file_string;

/* Everything one run of the pass over one module needs; lives on the stack of
 * hm_instrument_module, so concurrent runs share nothing. */
typedef struct pass_state {
    LLVMContextRef ctx;
    LLVMModuleRef module;
    LLVMBuilderRef builder;
    LLVMTypeRef i8, i32, i8ptr, record_type;
    unsigned kind_nounwind, kind_naked, kind_returns_twice;
    hook enter, exit;
    LLVMValueRef recording;   /* @__heatmap_recording_v1 (as i32* with typed pointers) */
    unsigned kind_nosanitize; /* metadata kind: sanitizers leave the guard's load alone */
    LLVMValueRef personality; /* for functions that get their first landing pad; lazily */
    file_string *files;
    size_t file_count;
    LLVMValueRef *records;
    size_t record_count;
} pass_state;

/* Facts about one function, gathered before deciding. */
typedef struct function_info {
    const char *symbol;
    char *name;       /* hm_display_name */
    char *file;       /* as the compiler saw it (DIFile filename, else the module's source) */
    char *match_path; /* what the config matches: `file` made absolute with the DIFile directory */
    unsigned line;    /* DISubprogram line, 0 without debug info */
} function_info;

static char *copy_n(const char *s, size_t n) {
    char *out = malloc(n + 1);
    if (out) {
        memcpy(out, s ? s : "", n);
        out[n] = '\0';
    }
    return out;
}

static bool starts_with(const char *s, const char *prefix) {
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* A pointer constant as i8*: a bitcast with typed pointers, the value itself with opaque ones. */
static LLVMValueRef as_i8ptr(pass_state *st, LLVMValueRef v) {
#if LLVM_VERSION_MAJOR >= 17
    (void)st;
    return v; /* typed pointers are gone: every pointer is `ptr` */
#else
    return LLVMConstBitCast(v, st->i8ptr);
#endif
}

static bool has_fn_attr(LLVMValueRef fn, unsigned kind) {
    return LLVMGetEnumAttributeAtIndex(fn, LLVMAttributeFunctionIndex, kind) != NULL;
}

static void add_fn_attr(pass_state *st, LLVMValueRef fn, unsigned kind) {
    LLVMAddAttributeAtIndex(fn, LLVMAttributeFunctionIndex,
                            LLVMCreateEnumAttribute(st->ctx, kind, 0));
}

/* The function a call or personality refers to, looking through a pointer cast; NULL if none. */
static LLVMValueRef strip_cast_to_function(LLVMValueRef v) {
    if (v && LLVMIsAConstantExpr(v) && LLVMGetConstOpcode(v) == LLVMBitCast)
        v = LLVMGetOperand(v, 0);
    return v && LLVMIsAFunction(v) ? v : NULL;
}

/* --- STEP 0: module-level helpers ------------------------------------------------------------ */

/* Positions the builder before `inst` without taking over its debug location (LLVM-C's
 * LLVMPositionBuilderBefore does, and the builder would then stamp it on everything it inserts
 * later, also into other blocks and functions). The builder never carries a debug location:
 * what the pass creates gets one explicitly, and instructions it moves keep theirs. */
static void position_before(pass_state *st, LLVMValueRef inst) {
    LLVMPositionBuilderBefore(st->builder, inst);
    LLVMSetCurrentDebugLocation2(st->builder, NULL);
}

static hook get_hook(pass_state *st, const char *name, LLVMTypeRef type) {
    hook h = {type, LLVMGetNamedFunction(st->module, name)};
    if (!h.callee)
        h.callee = LLVMAddFunction(st->module, name, type);
    else if (LLVMGlobalGetValueType(h.callee) != type)
        h.callee = LLVMConstBitCast(h.callee, LLVMPointerType(type, 0));
    LLVMValueRef fn = strip_cast_to_function(h.callee);
    if (fn)
        add_fn_attr(st, fn, st->kind_nounwind); /* the runtime never throws */
    return h;
}

/* Inserts `call hook(record)` before `before`, marked nounwind, at `loc` when given. */
static LLVMValueRef call_hook(pass_state *st, const hook *h, LLVMValueRef record,
                              LLVMValueRef before, LLVMMetadataRef loc) {
    position_before(st, before);
    LLVMValueRef arg = as_i8ptr(st, record);
    LLVMValueRef call = LLVMBuildCall2(st->builder, h->type, h->callee, &arg, 1, "");
    LLVMAddCallSiteAttribute(call, LLVMAttributeFunctionIndex,
                             LLVMCreateEnumAttribute(st->ctx, st->kind_nounwind, 0));
    /* Never a tail call: the runtime matches an exit to its enter by the caller's stack address,
     * which a `jmp` after the epilogue would change. */
    hm_llvm_set_notail(call);
    if (loc)
        LLVMInstructionSetDebugLoc(call, loc);
    return call;
}

/* The runtime's recording flag, `@__heatmap_recording_v1 = external global i32`, declared once. */
static LLVMValueRef get_recording_flag(pass_state *st) {
    LLVMValueRef g = LLVMGetNamedGlobal(st->module, "__heatmap_recording_v1");
    if (!g) {
        g = LLVMAddGlobal(st->module, st->i32, "__heatmap_recording_v1");
        LLVMSetAlignment(g, 4);
    } else if (LLVMGlobalGetValueType(g) != st->i32) {
        g = LLVMConstBitCast(g, LLVMPointerType(st->i32, 0)); /* a user's odd declaration */
    }
    return g;
}

/* Inserts, before `before`, the hook call guarded by the recording flag:
 *     %heatmap.recording = load atomic i32, i32* @__heatmap_recording_v1 monotonic, align 4
 *     %heatmap.on = icmp ne i32 %heatmap.recording, 0
 *     br i1 %heatmap.on, label %THEN, label %TAIL, !prof (likely taken)
 *   THEN:
 *     call void @hook(record)
 *     br label %TAIL
 *   TAIL:
 *     before ...
 * The block is split just before `before`: whatever precedes it (PHIs, a landingpad, allocas)
 * stays in the first block, and `before` and what follows it (a `musttail` call and its `ret`)
 * stay together in TAIL. Every new instruction gets `loc`. Returns the call. */
static LLVMValueRef guarded_call_hook(pass_state *st, const hook *h, LLVMValueRef record,
                                      LLVMValueRef before, LLVMMetadataRef loc,
                                      const char *then_name, const char *tail_name) {
    position_before(st, before);
    LLVMValueRef flag = LLVMBuildLoad2(st->builder, st->i32, st->recording, "heatmap.recording");
    LLVMSetOrdering(flag, LLVMAtomicOrderingMonotonic);
    LLVMSetAlignment(flag, 4);
    LLVMSetMetadata(flag, st->kind_nosanitize, LLVMMDNodeInContext(st->ctx, NULL, 0));
    LLVMValueRef on =
        LLVMBuildICmp(st->builder, LLVMIntNE, flag, LLVMConstInt(st->i32, 0, 0), "heatmap.on");
    if (loc) {
        LLVMInstructionSetDebugLoc(flag, loc);
        LLVMInstructionSetDebugLoc(on, loc);
    }
    LLVMValueRef then_term = hm_llvm_split_if_then(on, before, then_name, tail_name, loc);
    return call_hook(st, h, record, then_term, loc);
}

static LLVMValueRef private_string(pass_state *st, const char *name, const char *text) {
    size_t len = strlen(text);
    LLVMValueRef init = LLVMConstStringInContext(st->ctx, text, (unsigned)len, 0);
    LLVMValueRef g = LLVMAddGlobal(st->module, LLVMTypeOf(init), name);
    LLVMSetInitializer(g, init);
    LLVMSetLinkage(g, LLVMPrivateLinkage);
    LLVMSetGlobalConstant(g, 1);
    LLVMSetUnnamedAddress(g, LLVMGlobalUnnamedAddr);
    LLVMSetAlignment(g, 1);
    return g;
}

/* File names repeat across a module's functions: one string per distinct file. */
static LLVMValueRef file_string_for(pass_state *st, const char *path) {
    for (size_t i = 0; i < st->file_count; i++)
        if (strcmp(st->files[i].path, path) == 0)
            return st->files[i].global;
    file_string *files = realloc(st->files, (st->file_count + 1) * sizeof *files);
    if (!files)
        return private_string(st, "__heatmap.file", path);
    st->files = files;
    file_string *f = &files[st->file_count];
    f->path = copy_n(path, strlen(path));
    f->global = private_string(st, "__heatmap.file", path);
    if (f->path)
        st->file_count++;
    return f->global;
}

/* The element type of the appending array `name`, or `fallback` when it does not exist yet. */
static LLVMTypeRef appending_element_type(pass_state *st, const char *name, LLVMTypeRef fallback) {
    LLVMValueRef g = LLVMGetNamedGlobal(st->module, name);
    if (!g)
        return fallback;
    LLVMTypeRef t = LLVMGlobalGetValueType(g);
    return LLVMGetTypeKind(t) == LLVMArrayTypeKind ? LLVMGetElementType(t) : fallback;
}

/* Rebuilds the appending array global `name` (llvm.global_ctors, llvm.compiler.used) as its
 * existing elements plus `element`, keeping its section. */
static void append_to_array(pass_state *st, const char *name, LLVMTypeRef elem_type,
                            LLVMValueRef element) {
    LLVMValueRef old = LLVMGetNamedGlobal(st->module, name);
    unsigned n = 0;
    if (old && LLVMGetTypeKind(LLVMGlobalGetValueType(old)) == LLVMArrayTypeKind)
        n = LLVMGetArrayLength(LLVMGlobalGetValueType(old));
    LLVMValueRef *elems = malloc((n + 1) * sizeof *elems);
    if (!elems)
        return;
    LLVMValueRef init = old ? LLVMGetInitializer(old) : NULL;
    for (unsigned i = 0; i < n; i++) {
        bool zero = !init || LLVMIsAConstantAggregateZero(init);
        elems[i] = zero ? LLVMConstNull(elem_type) : LLVMGetOperand(init, i);
    }
    elems[n] = element;
    char *section = NULL;
    if (old) {
        const char *s = LLVMGetSection(old);
        section = s ? copy_n(s, strlen(s)) : NULL;
        LLVMSetValueName2(old, "", 0);
    }
    LLVMValueRef array = LLVMConstArray(elem_type, elems, n + 1);
    LLVMValueRef g = LLVMAddGlobal(st->module, LLVMTypeOf(array), name);
    LLVMSetInitializer(g, array);
    LLVMSetLinkage(g, LLVMAppendingLinkage);
    if (section && section[0])
        LLVMSetSection(g, section);
    if (old) {
        if (LLVMGetFirstUse(old))
            LLVMReplaceAllUsesWith(old, LLVMConstBitCast(g, LLVMTypeOf(old)));
        LLVMDeleteGlobal(old);
    }
    free(section);
    free(elems);
}

/* --- STEP 1: decide ------------------------------------------------------------------------ */

static void gather_info(LLVMValueRef fn, const char *module_source, function_info *info) {
    size_t len = 0;
    info->symbol = LLVMGetValueName2(fn, &len);
    info->name = hm_display_name(info->symbol, len);
    info->file = NULL;
    info->match_path = NULL;
    info->line = 0;
    LLVMMetadataRef sp = LLVMGetSubprogram(fn);
    if (sp) {
        LLVMMetadataRef file = LLVMDIScopeGetFile(sp);
        unsigned flen = 0, dlen = 0;
        const char *fname = file ? LLVMDIFileGetFilename(file, &flen) : NULL;
        const char *dir = file ? LLVMDIFileGetDirectory(file, &dlen) : NULL;
        info->line = LLVMDISubprogramGetLine(sp);
        if (fname && flen > 0) {
            info->file = copy_n(fname, flen);
            if (fname[0] != '/' && dir && dlen > 0) {
                info->match_path = malloc((size_t)dlen + flen + 2);
                if (info->match_path) {
                    snprintf(info->match_path, (size_t)dlen + flen + 2, "%.*s/%.*s", (int)dlen, dir,
                             (int)flen, fname);
                }
            }
        }
    }
    if (!info->file && module_source && !LLVMIsDeclaration(fn))
        info->file = copy_n(module_source, strlen(module_source));
    if (!info->match_path && info->file)
        info->match_path = copy_n(info->file, strlen(info->file));
}

static void free_info(function_info *info) {
    free(info->name);
    free(info->file);
    free(info->match_path);
}

/* Intrinsics that are not calls for the trivial rule (they emit no code or no call). */
static bool is_ignored_intrinsic(LLVMValueRef callee) {
    static const char *const prefixes[] = {"llvm.dbg.",      "llvm.lifetime.",
                                           "llvm.assume",    "llvm.experimental.noalias.scope.decl",
                                           "llvm.donothing", "llvm.pseudoprobe"};
    if (!callee || !LLVMIsAFunction(callee) || LLVMGetIntrinsicID(callee) == 0)
        return false;
    const char *name = LLVMGetValueName2(callee, &(size_t){0});
    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++)
        if (starts_with(name, prefixes[i]))
            return true;
    return false;
}

static bool is_call_like(LLVMValueRef inst) {
    LLVMOpcode op = LLVMGetInstructionOpcode(inst);
    return op == LLVMCall || op == LLVMInvoke || op == LLVMCallBr;
}

static unsigned block_index(LLVMBasicBlockRef *blocks, unsigned n, LLVMBasicBlockRef bb) {
    for (unsigned i = 0; i < n; i++)
        if (blocks[i] == bb)
            return i;
    return n;
}

/* True when the CFG reachable from the entry has a cycle: an iterative depth-first search that
 * finds an edge back to a block still on the stack. Only called for small functions (fewer
 * blocks than the trivial threshold), so the linear block lookup is fine. */
static bool has_cycle(LLVMValueRef fn) {
    unsigned n = LLVMCountBasicBlocks(fn);
    LLVMBasicBlockRef *blocks = malloc(n * sizeof *blocks);
    unsigned char *state = calloc(n, 1); /* 0 unseen, 1 on the stack, 2 done */
    unsigned *stack = malloc(n * sizeof *stack), *next_succ = calloc(n, sizeof *next_succ);
    bool cycle = true; /* on OOM, call it a loop: not trivial, so instrumented */
    if (n == 0 || !blocks || !state || !stack || !next_succ)
        goto out;
    LLVMGetBasicBlocks(fn, blocks);
    cycle = false;
    unsigned depth = 0;
    stack[depth++] = 0;
    state[0] = 1;
    while (depth > 0 && !cycle) {
        unsigned b = stack[depth - 1];
        LLVMValueRef term = LLVMGetBasicBlockTerminator(blocks[b]);
        unsigned nsucc = term ? LLVMGetNumSuccessors(term) : 0;
        if (next_succ[b] >= nsucc) {
            state[b] = 2;
            depth--;
            continue;
        }
        unsigned s = block_index(blocks, n, LLVMGetSuccessor(term, next_succ[b]++));
        if (s < n && state[s] == 1) {
            cycle = true;
        } else if (s < n && state[s] == 0) {
            state[s] = 1;
            stack[depth++] = s;
        }
    }
out:
    free(blocks);
    free(state);
    free(stack);
    free(next_succ);
    return cycle;
}

/* The trivial rule: no calls (ignoring debug/lifetime-style intrinsics), no loops, and fewer than
 * `threshold` instructions (those intrinsics not counted, so -g does not change the decision). */
static bool is_trivial(pass_state *st, LLVMValueRef fn, unsigned threshold) {
    if (threshold == 0)
        return false;
    unsigned count = 0;
    for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(fn); bb; bb = LLVMGetNextBasicBlock(bb)) {
        for (LLVMValueRef i = LLVMGetFirstInstruction(bb); i; i = LLVMGetNextInstruction(i)) {
            /* Checks a sanitizer put in (-fsanitize=undefined emits them in the front end) carry
             * !nosanitize; they are not the user's code, so they neither count nor make a call. */
            if (LLVMGetMetadata(i, st->kind_nosanitize))
                continue;
            if (is_call_like(i)) {
                if (is_ignored_intrinsic(LLVMGetCalledValue(i)))
                    continue;
                return false;
            }
            if (++count >= threshold)
                return false;
        }
    }
    return !has_cycle(fn);
}

/* The function a call or invoke calls directly, through pointer casts and aliases; NULL for an
 * indirect call. */
static LLVMValueRef direct_callee(LLVMValueRef call) {
    LLVMValueRef v = LLVMGetCalledValue(call);
    for (int hops = 0; v && hops < 8; hops++)
        if (LLVMIsAConstantExpr(v) && LLVMGetConstOpcode(v) == LLVMBitCast)
            v = LLVMGetOperand(v, 0);
        else if (LLVMIsAGlobalAlias(v))
            v = LLVMAliasGetAliasee(v);
        else
            break;
    return v && LLVMIsAFunction(v) ? v : NULL;
}

/* True when `fn` calls the function named `name` directly (any function when `name` is NULL). */
static bool calls_function_named(LLVMValueRef fn, const char *name) {
    for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(fn); bb; bb = LLVMGetNextBasicBlock(bb)) {
        for (LLVMValueRef i = LLVMGetFirstInstruction(bb); i; i = LLVMGetNextInstruction(i)) {
            LLVMValueRef callee = is_call_like(i) ? direct_callee(i) : NULL;
            if (callee && (!name || strcmp(LLVMGetValueName2(callee, &(size_t){0}), name) == 0))
                return true;
        }
    }
    return false;
}

/* C++ functions that only forward to another function of the same name, which is counted itself;
 * instrumenting both would count one source-level call two or three times:
 *   - thunks (_ZTh, _ZTv, _ZTc): adjust `this` or a covariant return, then call the function;
 *   - a complete-object constructor or destructor (C1, D1) that calls the base-object variant
 *     (C2, D2) of the same class: clang emits these for classes with virtual bases (a destructor)
 *     or where it cannot make C1/D1 an alias;
 *   - a deleting destructor (D0): calls D1 or D2, then operator delete.
 * Returns true and describes the target in `reason` when `fn` is such a wrapper. Decided on the
 * IR at hand, so after inlining a wrapper that absorbed its target is instrumented instead. */
static bool is_forwarding_wrapper(LLVMValueRef fn, const char *symbol, char *reason, size_t size) {
    if (!starts_with(symbol, "_Z"))
        return false;
    if (starts_with(symbol, "_ZTh") || starts_with(symbol, "_ZTv") || starts_with(symbol, "_ZTc")) {
        if (calls_function_named(fn, NULL)) {
            snprintf(reason, size, "thunk: counted as the function it calls");
            return true;
        }
        return false;
    }
    static const char *const variants[][3] = {
        {"C1E", "C2E", NULL}, {"D1E", "D2E", NULL}, {"D0E", "D1E", "D2E"}};
    size_t len = strlen(symbol);
    for (size_t v = 0; v < sizeof variants / sizeof variants[0]; v++) {
        const char *at = strstr(symbol, variants[v][0]);
        if (!at)
            continue;
        char *target = copy_n(symbol, len);
        if (!target)
            return false;
        for (size_t t = 1; t < 3 && variants[v][t]; t++) {
            memcpy(target + (at - symbol), variants[v][t], 3);
            if (calls_function_named(fn, target)) {
                snprintf(reason, size, "forwards to %s: counted there", target);
                free(target);
                return true;
            }
        }
        free(target);
    }
    return false;
}

/* Why a function the config did not select was left out, for the report. */
static void selection_reason(const hm_config *cfg, const hm_selection *sel, char *buf,
                             size_t size) {
    const char *src = hm_config_source(cfg);
    switch (sel->reason) {
    case HM_REASON_EXCLUDED_FUNCTION:
        snprintf(buf, size, "excluded by functions.exclude '%s' (%s:%d)",
                 sel->rule ? sel->rule : "", src, sel->rule_line);
        break;
    case HM_REASON_EXCLUDED_FILE:
        snprintf(buf, size, "excluded by files.exclude '%s' (%s:%d)", sel->rule ? sel->rule : "",
                 src, sel->rule_line);
        break;
    case HM_REASON_NOT_INCLUDED_FUNCTION:
        snprintf(buf, size, "not matched by functions.include (%s:%d)", src, sel->rule_line);
        break;
    case HM_REASON_NOT_INCLUDED_FILE:
        snprintf(buf, size, "not matched by files.include (%s:%d)", src, sel->rule_line);
        break;
    default:
        snprintf(buf, size, "%s", hm_reason_name(sel->reason));
        break;
    }
}

/* Decides whether to instrument `fn`. Returns true to instrument; otherwise `reason` says why
 * not. `info` is filled for definitions. */
static bool decide(pass_state *st, const hm_config *cfg, LLVMValueRef fn, function_info *info,
                   char *reason, size_t size) {
    if (LLVMGetLinkage(fn) == LLVMAvailableExternallyLinkage) {
        snprintf(reason, size, "available_externally"); /* the real body is elsewhere */
        return false;
    }
    if (has_fn_attr(fn, st->kind_naked)) {
        snprintf(reason, size, "naked"); /* no prologue: a call would clobber the frame */
        return false;
    }
    hm_selection sel = hm_config_select(cfg, info->name, info->match_path);
    if (!sel.selected) {
        selection_reason(cfg, &sel, reason, size);
        return false;
    }
    if (!sel.named_exactly && is_trivial(st, fn, hm_config_trivial_threshold(cfg))) {
        snprintf(reason, size, "trivial");
        return false;
    }
    snprintf(reason, size, "included");
    return true;
}

/* --- STEP 2: entry and returns ------------------------------------------------------------- */

/* The location EntryExitInstrumenter gives its calls: the subprogram's scope line. */
static LLVMMetadataRef hook_location(pass_state *st, LLVMValueRef fn) {
    LLVMMetadataRef sp = LLVMGetSubprogram(fn);
    if (!sp)
        return NULL;
    unsigned line = hm_llvm_subprogram_scope_line(sp);
    if (line == 0)
        line = LLVMDISubprogramGetLine(sp);
    return LLVMDIBuilderCreateDebugLocation(st->ctx, line, 0, sp, NULL);
}

/* Where the exit call goes for a `ret`: before it, or before the `musttail` call (and optional
 * bitcast) that must immediately precede it. */
static LLVMValueRef exit_point(LLVMValueRef ret) {
    LLVMValueRef prev = LLVMGetPreviousInstruction(ret);
    if (prev && LLVMIsABitCastInst(prev))
        prev = LLVMGetPreviousInstruction(prev);
    if (prev && LLVMIsACallInst(prev) && hm_llvm_is_musttail_call(prev))
        return prev;
    return ret;
}

/* The terminators of `fn` for which `is_a` is non-NULL, in a malloc'd array (NULL and *n == 0 when
 * there are none or memory ran out). */
static LLVMValueRef *collect_terminators(LLVMValueRef fn, LLVMValueRef (*is_a)(LLVMValueRef),
                                         size_t *n) {
    size_t count = 0;
    for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(fn); bb; bb = LLVMGetNextBasicBlock(bb)) {
        LLVMValueRef term = LLVMGetBasicBlockTerminator(bb);
        count += term && is_a(term);
    }
    LLVMValueRef *terms = count ? malloc(count * sizeof *terms) : NULL;
    *n = 0;
    if (!terms)
        return NULL;
    for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(fn); bb; bb = LLVMGetNextBasicBlock(bb)) {
        LLVMValueRef term = LLVMGetBasicBlockTerminator(bb);
        if (term && is_a(term))
            terms[(*n)++] = term;
    }
    return terms;
}

static bool is_static_alloca(LLVMValueRef inst) {
    return LLVMIsAAllocaInst(inst) && LLVMIsAConstant(LLVMGetOperand(inst, 0));
}

/* Where the enter call's guard splits the entry block: after its leading allocas and debug
 * intrinsics, so that the allocas stay in the entry block, where mem2reg and SROA look for them
 * and where the backend makes them part of the fixed frame. A fixed-size alloca found further down
 * the entry block is moved up before the split point for the same reason (an alloca has no
 * operand but its constant size, so it can move up freely). */
static LLVMValueRef entry_split_point(pass_state *st, LLVMValueRef fn) {
    LLVMBasicBlockRef entry = LLVMGetEntryBasicBlock(fn);
    LLVMValueRef split = LLVMGetFirstInstruction(entry);
    while (split && (LLVMIsAAllocaInst(split) || LLVMIsADbgInfoIntrinsic(split)))
        split = LLVMGetNextInstruction(split);
    LLVMValueRef next;
    for (LLVMValueRef i = split ? LLVMGetNextInstruction(split) : NULL; i; i = next) {
        next = LLVMGetNextInstruction(i);
        if (is_static_alloca(i)) {
            LLVMMetadataRef dl = LLVMInstructionGetDebugLoc(i);
            size_t len = 0;
            const char *name = LLVMGetValueName2(i, &len);
            char *saved = copy_n(name, len);
            LLVMInstructionRemoveFromParent(i);
            position_before(st, split);
            LLVMInsertIntoBuilderWithName(st->builder, i, saved ? saved : "");
            LLVMInstructionSetDebugLoc(i, dl);
            free(saved);
        }
    }
    return split;
}

/* --- STEP 3: exceptions -------------------------------------------------------------------- */

/* Funclet-based personalities (Windows, wasm) use cleanuppad/catchswitch; not handled. */
static bool is_funclet_personality(LLVMValueRef pers) {
    static const char *const names[] = {"__CxxFrameHandler3",        "__C_specific_handler",
                                        "_except_handler3",          "_except_handler4",
                                        "__gxx_wasm_personality_v0", "ProcessCLRException"};
    LLVMValueRef fn = strip_cast_to_function(pers);
    if (!fn)
        return true; /* unknown kind: stay away */
    const char *name = LLVMGetValueName2(fn, &(size_t){0});
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(name, names[i]) == 0)
            return true;
    return false;
}

/* The personality for a function that gets its first landing pad: the one other functions of the
 * module already use (so the inliner, which refuses to mix personalities, is not blocked), else
 * __gxx_personality_v0 in a module with C++ symbols, else __gcc_personality_v0, LLVM's default
 * for cleanup-only landing pads on ELF targets (what EscapeEnumerator picks). */
static LLVMValueRef module_personality(pass_state *st) {
    if (st->personality)
        return st->personality;
    bool cxx = false;
    for (LLVMValueRef f = LLVMGetFirstFunction(st->module); f; f = LLVMGetNextFunction(f)) {
        if (LLVMHasPersonalityFn(f) && !is_funclet_personality(LLVMGetPersonalityFn(f)))
            return st->personality = LLVMGetPersonalityFn(f);
        cxx = cxx || starts_with(LLVMGetValueName2(f, &(size_t){0}), "_Z");
    }
    const char *name = cxx ? "__gxx_personality_v0" : "__gcc_personality_v0";
    LLVMValueRef fn = LLVMGetNamedFunction(st->module, name);
    if (!fn)
        fn = LLVMAddFunction(st->module, name, LLVMFunctionType(st->i32, NULL, 0, 1));
    return st->personality = as_i8ptr(st, fn);
}

/* True when a `call` may throw and can become an `invoke`: neither it nor its callee is nounwind,
 * it is not an intrinsic, inline asm, musttail (nothing may stand between it and its ret) or
 * returns_twice (setjmp and friends: never invoked), and it has no operand bundles (LLVM-C 14
 * cannot copy those). A call left alone that does throw loses only this frame's exit call, and the
 * runtime closes the frame by its stack address at the next enter or exit. */
static bool call_may_throw(pass_state *st, LLVMValueRef call) {
    if (!LLVMIsACallInst(call))
        return false;
    LLVMValueRef callee = LLVMGetCalledValue(call);
    if (LLVMIsAInlineAsm(callee))
        return false;
    LLVMValueRef fn = strip_cast_to_function(callee);
    if (fn && (LLVMGetIntrinsicID(fn) != 0 || has_fn_attr(fn, st->kind_nounwind) ||
               has_fn_attr(fn, st->kind_returns_twice)))
        return false;
    if (LLVMGetCallSiteEnumAttribute(call, LLVMAttributeFunctionIndex, st->kind_nounwind) ||
        LLVMGetCallSiteEnumAttribute(call, LLVMAttributeFunctionIndex, st->kind_returns_twice))
        return false;
    if (hm_llvm_is_musttail_call(call))
        return false;
    return (unsigned)LLVMGetNumOperands(call) == LLVMGetNumArgOperands(call) + 1;
}

static void copy_metadata(pass_state *st, LLVMValueRef from, LLVMValueRef to) {
    size_t n = 0;
    LLVMValueMetadataEntry *entries = LLVMInstructionGetAllMetadataOtherThanDebugLoc(from, &n);
    for (size_t i = 0; i < n; i++) {
        LLVMMetadataRef md = LLVMValueMetadataEntriesGetMetadata(entries, (unsigned)i);
        LLVMSetMetadata(to, LLVMValueMetadataEntriesGetKind(entries, (unsigned)i),
                        LLVMMetadataAsValue(st->ctx, md));
    }
    if (entries)
        LLVMDisposeValueMetadataEntries(entries);
    LLVMInstructionSetDebugLoc(to, LLVMInstructionGetDebugLoc(from));
}

/* Moves the name of `from` to `to`. */
static void move_name(LLVMValueRef from, LLVMValueRef to) {
    size_t len = 0;
    const char *name = LLVMGetValueName2(from, &len);
    if (len == 0)
        return;
    char *copy = copy_n(name, len);
    LLVMSetValueName2(from, "", 0);
    if (copy) {
        LLVMSetValueName2(to, copy, len);
        free(copy);
    }
}

/* In `succ`, makes the PHIs' incoming block `from` read `to`. LLVM-C cannot change an incoming
 * block, so each affected PHI is rebuilt and replaces the old one. */
static void retarget_phis(pass_state *st, LLVMBasicBlockRef succ, LLVMBasicBlockRef from,
                          LLVMBasicBlockRef to) {
    LLVMValueRef next;
    for (LLVMValueRef phi = LLVMGetFirstInstruction(succ); phi && LLVMIsAPHINode(phi); phi = next) {
        next = LLVMGetNextInstruction(phi);
        unsigned n = LLVMCountIncoming(phi), hits = 0;
        for (unsigned i = 0; i < n; i++)
            hits += LLVMGetIncomingBlock(phi, i) == from;
        if (hits == 0)
            continue;
        position_before(st, phi);
        LLVMValueRef fresh = LLVMBuildPhi(st->builder, LLVMTypeOf(phi), "");
        for (unsigned i = 0; i < n; i++) {
            LLVMValueRef v = LLVMGetIncomingValue(phi, i);
            LLVMBasicBlockRef b = LLVMGetIncomingBlock(phi, i);
            if (b == from)
                b = to;
            LLVMAddIncoming(fresh, &v, &b, 1);
        }
        copy_metadata(st, phi, fresh);
        move_name(phi, fresh);
        LLVMReplaceAllUsesWith(phi, fresh);
        LLVMInstructionEraseFromParent(phi);
    }
}

/* Splits the block after `call` and replaces the call by an invoke that unwinds to `cleanup`,
 * keeping callee, arguments, calling convention, attributes, metadata, debug location and name
 * (LLVM's changeToInvokeAndSplitBasicBlock, spelled in LLVM-C). */
static void call_to_invoke(pass_state *st, LLVMValueRef call, LLVMBasicBlockRef cleanup) {
    LLVMBasicBlockRef bb = LLVMGetInstructionParent(call);
    LLVMBasicBlockRef after = LLVMGetNextBasicBlock(bb);
    LLVMValueRef fn = LLVMGetBasicBlockParent(bb);
    LLVMBasicBlockRef cont = after ? LLVMInsertBasicBlockInContext(st->ctx, after, "heatmap.cont")
                                   : LLVMAppendBasicBlockInContext(st->ctx, fn, "heatmap.cont");

    /* The builder never carries a debug location, so moved instructions keep theirs. */
    LLVMPositionBuilderAtEnd(st->builder, cont);
    LLVMValueRef next;
    for (LLVMValueRef i = LLVMGetNextInstruction(call); i; i = next) {
        next = LLVMGetNextInstruction(i);
        size_t len = 0;
        const char *name = LLVMGetValueName2(i, &len);
        LLVMInstructionRemoveFromParent(i);
        LLVMInsertIntoBuilderWithName(st->builder, i, name);
    }
    LLVMValueRef term = LLVMGetBasicBlockTerminator(cont);
    unsigned nsucc = term ? LLVMGetNumSuccessors(term) : 0;
    for (unsigned s = 0; s < nsucc; s++)
        retarget_phis(st, LLVMGetSuccessor(term, s), bb, cont);

    unsigned nargs = LLVMGetNumArgOperands(call);
    LLVMValueRef *args = malloc((nargs ? nargs : 1) * sizeof *args);
    if (!args) {
        /* Out of memory mid-rewrite: put a branch back so the IR stays valid. */
        LLVMPositionBuilderAtEnd(st->builder, bb);
        LLVMBuildBr(st->builder, cont);
        return;
    }
    for (unsigned a = 0; a < nargs; a++)
        args[a] = LLVMGetOperand(call, a);
    LLVMPositionBuilderAtEnd(st->builder, bb);
    LLVMValueRef inv = LLVMBuildInvoke2(st->builder, LLVMGetCalledFunctionType(call),
                                        LLVMGetCalledValue(call), args, nargs, cont, cleanup, "");
    free(args);
    LLVMSetInstructionCallConv(inv, LLVMGetInstructionCallConv(call));
    for (long idx = -1; idx <= (long)nargs; idx++) { /* function, return, then each argument */
        LLVMAttributeIndex at = (LLVMAttributeIndex)idx;
        unsigned n = LLVMGetCallSiteAttributeCount(call, at);
        LLVMAttributeRef *attrs = n ? malloc(n * sizeof *attrs) : NULL;
        if (attrs) {
            LLVMGetCallSiteAttributes(call, at, attrs);
            for (unsigned k = 0; k < n; k++)
                LLVMAddCallSiteAttribute(inv, at, attrs[k]);
            free(attrs);
        }
    }
    copy_metadata(st, call, inv);
    move_name(call, inv);
    LLVMReplaceAllUsesWith(call, inv);
    LLVMInstructionEraseFromParent(call);
}

/* The type of the function's landing pads, or { i8*, i32 } when it has none. */
static LLVMTypeRef landing_pad_type(pass_state *st, LLVMValueRef fn) {
    for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(fn); bb; bb = LLVMGetNextBasicBlock(bb)) {
        LLVMValueRef i = LLVMGetFirstInstruction(bb);
        while (i && LLVMIsAPHINode(i))
            i = LLVMGetNextInstruction(i);
        if (i && LLVMIsALandingPadInst(i))
            return LLVMTypeOf(i);
    }
    LLVMTypeRef fields[2] = {st->i8ptr, st->i32};
    return LLVMStructTypeInContext(st->ctx, fields, 2, 0);
}

/* An exception that leaves `fn` must record the exit, like a return does:
 *   a. every existing landing pad becomes a cleanup, so the unwinder stops in this frame even
 *      when none of its catch clauses match (the pad's dispatch then reaches a `resume`);
 *   b. every call that may throw becomes an invoke unwinding to one new cleanup block
 *      `landingpad cleanup; resume`;
 *   c. every `resume` (the frontend's and ours) gets an exit call before it. */
static void instrument_unwind(pass_state *st, LLVMValueRef fn, LLVMValueRef record,
                              LLVMMetadataRef loc) {
    if (LLVMHasPersonalityFn(fn) && is_funclet_personality(LLVMGetPersonalityFn(fn)))
        return;
    /* a. and collect the calls for b. */
    size_t ncalls = 0, cap = 0;
    LLVMValueRef *calls = NULL;
    for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(fn); bb; bb = LLVMGetNextBasicBlock(bb)) {
        for (LLVMValueRef i = LLVMGetFirstInstruction(bb); i; i = LLVMGetNextInstruction(i)) {
            if (LLVMIsALandingPadInst(i)) {
                LLVMSetCleanup(i, 1);
            } else if (call_may_throw(st, i)) {
                if (ncalls == cap) {
                    cap = cap ? 2 * cap : 16;
                    LLVMValueRef *grown = realloc(calls, cap * sizeof *grown);
                    if (!grown)
                        break;
                    calls = grown;
                }
                calls[ncalls++] = i;
            }
        }
    }
    /* b. */
    if (ncalls > 0) {
        if (!LLVMHasPersonalityFn(fn))
            LLVMSetPersonalityFn(fn, module_personality(st));
        LLVMTypeRef lp_type = landing_pad_type(st, fn);
        LLVMBasicBlockRef cleanup = LLVMAppendBasicBlockInContext(st->ctx, fn, "heatmap.cleanup");
        LLVMPositionBuilderAtEnd(st->builder, cleanup);
        LLVMValueRef lp = LLVMBuildLandingPad(st->builder, lp_type, NULL, 0, "heatmap.lp");
        LLVMSetCleanup(lp, 1);
        LLVMValueRef resume = LLVMBuildResume(st->builder, lp);
        if (loc) {
            LLVMInstructionSetDebugLoc(lp, loc);
            LLVMInstructionSetDebugLoc(resume, loc);
        }
        for (size_t c = 0; c < ncalls; c++)
            call_to_invoke(st, calls[c], cleanup);
    }
    free(calls);
    /* c. Collect first: each guard adds blocks. */
    size_t nresumes = 0;
    LLVMValueRef *resumes = collect_terminators(fn, LLVMIsAResumeInst, &nresumes);
    for (size_t r = 0; r < nresumes; r++)
        guarded_call_hook(st, &st->exit, record, resumes[r], loc, "heatmap.exit", "heatmap.resume");
    free(resumes);
}

/* --- STEP 4: one function ------------------------------------------------------------------ */

static LLVMValueRef make_record(pass_state *st, const function_info *info) {
    LLVMValueRef fields[4] = {
        as_i8ptr(st, private_string(st, "__heatmap.name", info->name)),
        as_i8ptr(st, file_string_for(st, info->file ? info->file : "")),
        LLVMConstInt(st->i32, info->line, 0),
        LLVMConstInt(st->i32, 0, 0),
    };
    char *gname = malloc(strlen(info->symbol) + sizeof "__heatmap.rec.");
    if (gname)
        sprintf(gname, "__heatmap.rec.%s", info->symbol);
    LLVMValueRef rec = LLVMAddGlobal(st->module, st->record_type, gname ? gname : "__heatmap.rec");
    free(gname);
    LLVMSetInitializer(rec, LLVMConstNamedStruct(st->record_type, fields, 4));
    LLVMSetLinkage(rec, LLVMInternalLinkage);
    LLVMSetAlignment(rec, 8);
    return rec;
}

static void instrument_function(pass_state *st, LLVMValueRef fn, LLVMValueRef record) {
    LLVMMetadataRef loc = hook_location(st, fn);
    /* Returns, collected before any guard splits a block. */
    size_t nrets = 0;
    LLVMValueRef *rets = collect_terminators(fn, LLVMIsAReturnInst, &nrets);
    /* Entry: after the entry block's allocas (an entry block has no PHIs or EH pads). */
    guarded_call_hook(st, &st->enter, record, entry_split_point(st, fn), loc, "heatmap.enter",
                      "heatmap.body");
    for (size_t r = 0; r < nrets; r++) {
        guarded_call_hook(st, &st->exit, record, exit_point(rets[r]), loc, "heatmap.exit",
                          "heatmap.ret");
    }
    free(rets);
    /* Exceptions, for functions that may unwind at all. */
    if (!has_fn_attr(fn, st->kind_nounwind))
        instrument_unwind(st, fn, record, loc);
}

/* --- STEP 5: the module's table and constructor --------------------------------------------- */

static void emit_table_and_ctor(pass_state *st) {
    LLVMValueRef *elems = malloc(st->record_count * sizeof *elems);
    if (!elems)
        return;
    for (size_t i = 0; i < st->record_count; i++)
        elems[i] = as_i8ptr(st, st->records[i]);
    LLVMValueRef arr = LLVMConstArray(st->i8ptr, elems, (unsigned)st->record_count);
    free(elems);
    LLVMValueRef records = LLVMAddGlobal(st->module, LLVMTypeOf(arr), "__heatmap.records");
    LLVMSetInitializer(records, arr);
    LLVMSetLinkage(records, LLVMInternalLinkage);
    LLVMSetGlobalConstant(records, 1);

    LLVMTypeRef table_fields[3] = {st->i32, st->i32, st->i8ptr};
    LLVMTypeRef table_type = LLVMStructTypeInContext(st->ctx, table_fields, 3, 0);
    LLVMValueRef table_init[3] = {LLVMConstInt(st->i32, HM_ABI_VERSION, 0),
                                  LLVMConstInt(st->i32, st->record_count, 0),
                                  as_i8ptr(st, records)};
    LLVMValueRef table = LLVMAddGlobal(st->module, table_type, "__heatmap.table");
    LLVMSetInitializer(table, LLVMConstNamedStruct(table_type, table_init, 3));
    LLVMSetLinkage(table, LLVMInternalLinkage);
    LLVMSetAlignment(table, 8);

    LLVMTypeRef void_type = LLVMVoidTypeInContext(st->ctx);
    LLVMTypeRef ctor_type = LLVMFunctionType(void_type, NULL, 0, 0);
    LLVMValueRef ctor = LLVMAddFunction(st->module, HM_CTOR_NAME, ctor_type);
    LLVMSetLinkage(ctor, LLVMInternalLinkage);
    add_fn_attr(st, ctor, st->kind_nounwind);
    LLVMBasicBlockRef entry = LLVMAppendBasicBlockInContext(st->ctx, ctor, "entry");
    LLVMPositionBuilderAtEnd(st->builder, entry);
    LLVMValueRef ret = LLVMBuildRetVoid(st->builder);
    LLVMTypeRef hook_type = LLVMFunctionType(void_type, &st->i8ptr, 1, 0);
    hook reg = get_hook(st, "__heatmap_register_v1", hook_type);
    call_hook(st, &reg, table, ret, NULL);

    /* { i32 priority, void ()* ctor, i8* data }: the element type an existing array uses. */
    LLVMTypeRef entry_fields[3] = {st->i32, LLVMPointerType(ctor_type, 0), st->i8ptr};
    LLVMTypeRef entry_type = appending_element_type(
        st, "llvm.global_ctors", LLVMStructTypeInContext(st->ctx, entry_fields, 3, 0));
    unsigned nfields = LLVMCountStructElementTypes(entry_type);
    LLVMValueRef vals[3] = {LLVMConstInt(st->i32, HM_CTOR_PRIORITY, 0),
                            LLVMConstBitCast(ctor, LLVMStructGetTypeAtIndex(entry_type, 1)), NULL};
    if (nfields == 3)
        vals[2] = LLVMConstNull(LLVMStructGetTypeAtIndex(entry_type, 2));
    append_to_array(st, "llvm.global_ctors", entry_type,
                    LLVMConstNamedStruct(entry_type, vals, nfields < 3 ? nfields : 3));
}

static void emit_marker(pass_state *st) {
    LLVMValueRef marker = LLVMAddGlobal(st->module, st->i8, HM_MODULE_MARKER);
    LLVMSetInitializer(marker, LLVMConstInt(st->i8, 1, 0));
    LLVMSetLinkage(marker, LLVMPrivateLinkage);
    LLVMSetGlobalConstant(marker, 1);
    /* Keep it through optimisation (GlobalDCE), so a later run of the pass on this module, e.g.
     * at LTO link time, still sees it; llvm.compiler.used does not keep it in the object. */
    LLVMTypeRef elem = appending_element_type(st, "llvm.compiler.used", st->i8ptr);
    append_to_array(st, "llvm.compiler.used", elem, LLVMConstBitCast(marker, elem));
    LLVMValueRef used = LLVMGetNamedGlobal(st->module, "llvm.compiler.used");
    if (used)
        LLVMSetSection(used, "llvm.metadata");
}

int hm_instrument_module(LLVMModuleRef module, const hm_plugin_options *options,
                         hm_config_error *err) {
    err->message[0] = '\0';
    /* STEP 1: a module the pass has seen already is left alone. */
    if (LLVMGetNamedGlobal(module, HM_MODULE_MARKER))
        return 0;
    /* STEP 2: the module's config decides at which extension point the pass acts. */
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

    pass_state st = {0};
    st.module = module;
    st.ctx = LLVMGetModuleContext(module);
    st.builder = LLVMCreateBuilderInContext(st.ctx);
    st.i8 = LLVMInt8TypeInContext(st.ctx);
    st.i32 = LLVMInt32TypeInContext(st.ctx);
    st.i8ptr = LLVMPointerType(st.i8, 0);
    LLVMTypeRef record_fields[4] = {st.i8ptr, st.i8ptr, st.i32, st.i32};
    st.record_type = LLVMStructTypeInContext(st.ctx, record_fields, 4, 0);
    st.kind_nounwind = LLVMGetEnumAttributeKindForName("nounwind", 8);
    st.kind_naked = LLVMGetEnumAttributeKindForName("naked", 5);
    st.kind_returns_twice = LLVMGetEnumAttributeKindForName("returns_twice", 13);
    st.kind_nosanitize = LLVMGetMDKindIDInContext(st.ctx, "nosanitize", 10);
    hm_report *report = hm_report_open(options);

    /* STEP 3: the functions to look at, before the pass adds any. */
    size_t nfns = 0;
    for (LLVMValueRef f = LLVMGetFirstFunction(module); f; f = LLVMGetNextFunction(f))
        nfns++;
    LLVMValueRef *fns = malloc((nfns ? nfns : 1) * sizeof *fns);
    st.records = malloc((nfns ? nfns : 1) * sizeof *st.records);
    if (!fns || !st.records)
        nfns = 0;
    size_t k = 0;
    for (LLVMValueRef f = LLVMGetFirstFunction(module); f && k < nfns; f = LLVMGetNextFunction(f))
        fns[k++] = f;

    /* STEP 4: decide and instrument each function. */
    LLVMTypeRef hook_type = LLVMFunctionType(LLVMVoidTypeInContext(st.ctx), &st.i8ptr, 1, 0);
    bool hooks_ready = false;
    for (size_t i = 0; i < nfns; i++) {
        LLVMValueRef fn = fns[i];
        if (LLVMGetIntrinsicID(fn) != 0)
            continue;
        function_info info;
        gather_info(fn, source, &info);
        char reason[1024];
        bool instrument = false;
        if (LLVMIsDeclaration(fn)) {
            snprintf(reason, sizeof reason, "declaration");
        } else if (starts_with(info.symbol, "__heatmap") || starts_with(info.symbol, "heatmap.")) {
            snprintf(reason, sizeof reason, "heatmap runtime");
        } else if (strcmp(info.symbol, "__clang_call_terminate") == 0) {
            snprintf(reason, sizeof reason, "compiler-generated"); /* only on the way to abort */
        } else if (is_forwarding_wrapper(fn, info.symbol, reason, sizeof reason)) {
            /* reason set */
        } else {
            instrument = decide(&st, cfg, fn, &info, reason, sizeof reason);
        }
        if (instrument) {
            if (!hooks_ready) {
                st.enter = get_hook(&st, "__heatmap_enter_v1", hook_type);
                st.exit = get_hook(&st, "__heatmap_exit_v1", hook_type);
                st.recording = get_recording_flag(&st);
                hooks_ready = true;
            }
            LLVMValueRef rec = make_record(&st, &info);
            st.records[st.record_count++] = rec;
            instrument_function(&st, fn, rec);
        }
        hm_report_function(report, source, info.symbol, info.name, info.file, info.line, instrument,
                           reason);
        free_info(&info);
    }

    /* STEP 5: register the table from a constructor, and mark the module. */
    if (st.record_count > 0)
        emit_table_and_ctor(&st);
    emit_marker(&st);

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
