/* heatmap plugin: selection policy — which functions the pass instruments, and why not the others.
 *
 * A function is left out, in this order, when it is a declaration, the runtime's own code, clang's
 * __clang_call_terminate, a C++ wrapper that only forwards to a function counted itself (thunks,
 * C1/D1/D0 that call their C2/D2 variant), available_externally (its real body is elsewhere),
 * naked (no prologue to call from), not selected by heatmap.yaml, without debug information in a
 * module that has it (clang's intrinsics, `nodebug`), or trivial (no calls, no loops, fewer IR
 * instructions than the config's threshold); the last two unless an include names it exactly.
 * Every decision comes with a reason for the report. Decided on the IR at hand, so at
 * `after-inlining` a function that absorbed its callees may stop being trivial.
 */
#include <stdio.h>

#include <llvm-c/DebugInfo.h>

#include "pass.h"

void hm_select_gather_info(LLVMValueRef fn, const char *module_source, hm_function_info *info) {
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
                info->match_path = hm_xmalloc((size_t)dlen + flen + 2);
                snprintf(info->match_path, (size_t)dlen + flen + 2, "%.*s/%.*s", (int)dlen, dir,
                         (int)flen, fname);
            }
        }
    }
    if (!info->file && module_source && !LLVMIsDeclaration(fn))
        info->file = copy_n(module_source, strlen(module_source));
    if (!info->match_path && info->file)
        info->match_path = copy_n(info->file, strlen(info->file));
    /* Names with places as docs/config.md writes them: "lib//common/./x.c" is "lib/common/x.c",
     * in the records (what the results show) as in the paths patterns are matched against. */
    if (info->file && info->file[0])
        hm_path_normalize(info->file);
    if (info->match_path && info->match_path[0])
        hm_path_normalize(info->match_path);
}

void hm_select_free_info(hm_function_info *info) {
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
    if (n == 0)
        return true; /* a declaration: never asked, but not trivial */
    LLVMBasicBlockRef *blocks = hm_xmalloc(n * sizeof *blocks);
    unsigned char *state = hm_xcalloc(n, 1); /* 0 unseen, 1 on the stack, 2 done */
    unsigned *stack = hm_xmalloc(n * sizeof *stack), *next_succ = hm_xcalloc(n, sizeof *next_succ);
    LLVMGetBasicBlocks(fn, blocks);
    bool cycle = false;
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
    free(blocks);
    free(state);
    free(stack);
    free(next_succ);
    return cycle;
}

/* The trivial rule: no calls (ignoring debug/lifetime-style intrinsics), no loops, and fewer than
 * `threshold` instructions (those intrinsics not counted, so -g does not change the decision). */
static bool is_trivial(hm_pass_state *st, LLVMValueRef fn, unsigned threshold) {
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

/* Whether the pass may add calls to the body of `fn`, a definition; `reason` says why not. */
static bool may_add_calls(hm_pass_state *st, LLVMValueRef fn, char *reason, size_t size) {
    if (LLVMGetLinkage(fn) == LLVMAvailableExternallyLinkage) {
        snprintf(reason, size, "available_externally"); /* the real body is elsewhere */
        return false;
    }
    if (has_fn_attr(fn, st->kind_naked)) {
        snprintf(reason, size, "naked"); /* no prologue: a call would clobber the frame */
        return false;
    }
    return true;
}

/* A function without debug information in a module that has it: clang's intrinsics from its own
 * headers (`_mm_storeu_si128`: __nodebug__, always_inline), which the pass sees before inlining.
 * They are no function of the program's sources; counted, they showed at line 0 of the file that
 * uses them (11.5 M calls in zstd's decompression). A function the config names exactly is still
 * instrumented. */
static bool is_nodebug(LLVMValueRef fn) {
    return LLVMGetSubprogram(fn) == NULL &&
           LLVMGetNamedMetadataNumOperands(LLVMGetGlobalParent(fn), "llvm.dbg.cu") > 0;
}

/* Decides whether to instrument `fn`. Returns true to instrument; otherwise `reason` says why
 * not. `info` is filled for definitions. */
static bool decide(hm_pass_state *st, const hm_config *cfg, LLVMValueRef fn,
                   const hm_function_info *info, char *reason, size_t size) {
    if (!may_add_calls(st, fn, reason, size))
        return false;
    hm_selection sel = hm_config_select(cfg, info->name, info->match_path);
    if (!sel.selected) {
        selection_reason(cfg, &sel, reason, size);
        return false;
    }
    if (!sel.named_exactly && is_nodebug(fn)) {
        snprintf(reason, size, "nodebug");
        return false;
    }
    if (!sel.named_exactly && is_trivial(st, fn, hm_config_trivial_threshold(cfg))) {
        snprintf(reason, size, "trivial");
        return false;
    }
    snprintf(reason, size, "included");
    return true;
}

bool hm_select_function(hm_pass_state *st, const hm_config *cfg, LLVMValueRef fn,
                        const hm_function_info *info, char *reason, size_t size) {
    if (LLVMIsDeclaration(fn)) {
        snprintf(reason, size, "declaration");
        return false;
    }
    if (starts_with(info->symbol, "__heatmap") || starts_with(info->symbol, "heatmap.")) {
        snprintf(reason, size, "heatmap runtime");
        return false;
    }
    if (strcmp(info->symbol, "__clang_call_terminate") == 0) {
        snprintf(reason, size, "compiler-generated"); /* only on the way to abort */
        return false;
    }
    if (is_forwarding_wrapper(fn, info->symbol, reason, size))
        return false;
    return decide(st, cfg, fn, info, reason, size);
}

bool hm_select_may_land(hm_pass_state *st, LLVMValueRef fn, const hm_function_info *info) {
    char reason[64];
    return !LLVMIsDeclaration(fn) && !starts_with(info->symbol, "__heatmap") &&
           !starts_with(info->symbol, "heatmap.") && may_add_calls(st, fn, reason, sizeof reason);
}
