/* heatmap plugin: exception-edge handling — every way a function can be left.
 *
 * Like LLVM's EscapeEnumerator (which ThreadSanitizer uses to see exceptions leave a function),
 * this file only finds and shapes exits; emit.c puts the calls there. A function is left by a
 * `ret` (its exit call goes before the `musttail` call that must stay next to the `ret`, when there
 * is one), or by an exception. For exceptions it makes every unwind out of the function pass
 * through a `resume` of its own: existing landing pads become cleanups, and calls that may throw
 * become invokes to one new `landingpad cleanup; resume` block, choosing a personality when the
 * function has none. Funclet-based personalities (Windows, wasm) are left alone. LLVM-C 14 cannot
 * turn a call into an invoke, so call_to_invoke spells out changeToInvokeAndSplitBasicBlock.
 * A longjmp leaves the callees of the function it lands in: the setjmp calls where that happens
 * are found here too (hm_exits_landings), and emit.c tells the runtime after them.
 */
#include <llvm-c/DebugInfo.h>

#include "pass.h"

/* The terminators of `fn` for which `is_a` is non-NULL, in a malloc'd array (NULL and *n == 0 when
 * there are none). */
static LLVMValueRef *collect_terminators(LLVMValueRef fn, LLVMValueRef (*is_a)(LLVMValueRef),
                                         size_t *n) {
    size_t count = 0;
    for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(fn); bb; bb = LLVMGetNextBasicBlock(bb)) {
        LLVMValueRef term = LLVMGetBasicBlockTerminator(bb);
        count += term && is_a(term);
    }
    LLVMValueRef *terms = count ? hm_xmalloc(count * sizeof *terms) : NULL;
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

LLVMValueRef *hm_exits_returns(LLVMValueRef fn, size_t *n) {
    return collect_terminators(fn, LLVMIsAReturnInst, n);
}

LLVMValueRef hm_exits_return_point(LLVMValueRef ret) {
    LLVMValueRef prev = LLVMGetPreviousInstruction(ret);
    if (prev && LLVMIsABitCastInst(prev))
        prev = LLVMGetPreviousInstruction(prev);
    if (prev && LLVMIsACallInst(prev) && hm_llvm_is_musttail_call(prev))
        return prev;
    return ret;
}

/* ---- longjmp landings ------------------------------------------------------------------------ */

/* A call of a setjmp-like function: returns_twice, an integer result, and one of the names the C
 * library gives setjmp and sigsetjmp (<setjmp.h> maps the macros to _setjmp and __sigsetjmp). */
static bool is_setjmp_call(hm_pass_state *st, LLVMValueRef inst) {
    static const char *const names[] = {"setjmp", "_setjmp", "__setjmp", "sigsetjmp",
                                        "__sigsetjmp"};
    if (!LLVMIsACallInst(inst) || LLVMGetTypeKind(LLVMTypeOf(inst)) != LLVMIntegerTypeKind)
        return false;
    LLVMValueRef fn = strip_cast_to_function(LLVMGetCalledValue(inst));
    if (!fn ||
        !(has_fn_attr(fn, st->kind_returns_twice) ||
          LLVMGetCallSiteEnumAttribute(inst, LLVMAttributeFunctionIndex, st->kind_returns_twice)))
        return false;
    const char *name = LLVMGetValueName2(fn, &(size_t){0});
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(name, names[i]) == 0)
            return true;
    return false;
}

LLVMValueRef *hm_exits_landings(hm_pass_state *st, LLVMValueRef fn, size_t *n) {
    size_t count = 0;
    *n = 0;
    for (int pass = 0; pass < 2; pass++) {
        LLVMValueRef *calls = pass ? hm_xmalloc(count * sizeof *calls) : NULL;
        for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(fn); bb; bb = LLVMGetNextBasicBlock(bb))
            for (LLVMValueRef i = LLVMGetFirstInstruction(bb); i; i = LLVMGetNextInstruction(i))
                if (is_setjmp_call(st, i)) {
                    if (pass)
                        calls[(*n)++] = i;
                    else
                        count++;
                }
        if (pass || count == 0)
            return calls;
    }
    return NULL;
}

/* ---- Exceptions ------------------------------------------------------------------------------ */

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
static LLVMValueRef module_personality(hm_pass_state *st) {
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
static bool call_may_throw(hm_pass_state *st, LLVMValueRef call) {
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

static void copy_metadata(hm_pass_state *st, LLVMValueRef from, LLVMValueRef to) {
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
static void retarget_phis(hm_pass_state *st, LLVMBasicBlockRef succ, LLVMBasicBlockRef from,
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
static void call_to_invoke(hm_pass_state *st, LLVMValueRef call, LLVMBasicBlockRef cleanup) {
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
    LLVMValueRef *args = hm_xmalloc(nargs * sizeof *args);
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
        LLVMAttributeRef *attrs = n ? hm_xmalloc(n * sizeof *attrs) : NULL;
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
static LLVMTypeRef landing_pad_type(hm_pass_state *st, LLVMValueRef fn) {
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
 *   c. every `resume` (the frontend's and ours) is an exit: the caller puts an exit call before
 *      it. */
LLVMValueRef *hm_exits_unwind(hm_pass_state *st, LLVMValueRef fn, LLVMMetadataRef loc, size_t *n) {
    *n = 0;
    if (LLVMHasPersonalityFn(fn) && is_funclet_personality(LLVMGetPersonalityFn(fn)))
        return NULL;
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
                    calls = hm_xrealloc(calls, cap * sizeof *calls);
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
    /* c. Collected before the caller's guards add blocks. */
    return collect_terminators(fn, LLVMIsAResumeInst, n);
}