/* heatmap plugin: emission — the guarded enter/exit calls, the records, the table and its ctor.
 *
 * Everything the pass adds to a module is written here, the way LLVM's EntryExitInstrumenter
 * writes it: hook calls marked nounwind and notail, with the subprogram's scope line as their debug
 * location; the enter call after the entry block's allocas (static allocas further down are moved
 * up, so they stay in the fixed frame). Each call is guarded by the runtime's recording flag
 * (hm_llvm_split_if_then), so with recording off a call costs a load and a branch. Where the exit
 * calls go is exits.c's business; this file only puts them where it is told. The builder never
 * carries a debug location: what is created gets one explicitly, and moved instructions keep
 * theirs.
 */
#include <stdio.h>

#include <llvm-c/DebugInfo.h>

#include "heatmap/abi.h"
#include "pass.h"

#define HM_CTOR_NAME "heatmap.module_ctor"
#define HM_CTOR_PRIORITY 1

/* The calling convention of the hooks that instrumented code calls on every call (enter, exit,
 * count): on x86-64 the runtime defines them to preserve every general-purpose register (abi.h,
 * HM_ABI_HOOK), so the caller keeps its values in any register across them, as preserve_mostcc
 * says (it leaves r11 and the vector registers to the caller). That is what spares a small leaf
 * the register saves and moves that a C call in it would cost even when the call is not made
 * (recording off, count-only). Elsewhere, and for a module without a target triple, the C one. */
static unsigned hook_call_conv(hm_pass_state *st) {
    const char *triple = LLVMGetTarget(st->module);
    bool x86_64 =
        triple && (strncmp(triple, "x86_64-", 7) == 0 || strncmp(triple, "amd64-", 6) == 0);
    return x86_64 ? LLVMPreserveMostCallConv : LLVMCCallConv;
}

static hm_hook get_hook(hm_pass_state *st, const char *name, LLVMTypeRef type, unsigned cc) {
    hm_hook h = {type, LLVMGetNamedFunction(st->module, name), cc};
    if (!h.callee)
        h.callee = LLVMAddFunction(st->module, name, type);
    else if (LLVMGlobalGetValueType(h.callee) != type)
        h.callee = LLVMConstBitCast(h.callee, LLVMPointerType(type, 0));
    LLVMValueRef fn = strip_cast_to_function(h.callee);
    if (fn) {
        add_fn_attr(st, fn, st->kind_nounwind); /* the runtime never throws */
        /* A call whose convention differs from its callee's is undefined behaviour in LLVM. */
        LLVMSetFunctionCallConv(fn, cc);
        /* Called through the GOT, never a lazily bound PLT entry: glibc's lazy-binding resolver
         * saves only the argument registers and rax, and a preserve_mostcc caller keeps values in
         * r10 across the call (a zstd build crashed on its first count-only call). */
        if (cc == LLVMPreserveMostCallConv)
            add_fn_attr(st, fn, LLVMGetEnumAttributeKindForName("nonlazybind", 11));
    }
    return h;
}

/* Inserts `call hook(arg)` (an i8*) before `before`, marked nounwind, at `loc` when given. */
static LLVMValueRef call_hook_with(hm_pass_state *st, const hm_hook *h, LLVMValueRef arg,
                                   LLVMValueRef before, LLVMMetadataRef loc) {
    position_before(st, before);
    LLVMValueRef call = LLVMBuildCall2(st->builder, h->type, h->callee, &arg, 1, "");
    LLVMAddCallSiteAttribute(call, LLVMAttributeFunctionIndex,
                             LLVMCreateEnumAttribute(st->ctx, st->kind_nounwind, 0));
    LLVMSetInstructionCallConv(call, h->call_conv);
    /* Never a tail call: the runtime matches an exit to its enter by the caller's stack address,
     * which a `jmp` after the epilogue would change. */
    hm_llvm_set_notail(call);
    if (loc)
        LLVMInstructionSetDebugLoc(call, loc);
    return call;
}

/* Inserts `call hook(record)` before `before`, marked nounwind, at `loc` when given. */
static LLVMValueRef call_hook(hm_pass_state *st, const hm_hook *h, LLVMValueRef record,
                              LLVMValueRef before, LLVMMetadataRef loc) {
    return call_hook_with(st, h, as_i8ptr(st, record), before, loc);
}

/* The runtime's recording flag, `@__heatmap_recording_v3 = external global i32`, declared once. */
static LLVMValueRef get_recording_flag(hm_pass_state *st) {
    LLVMValueRef g = LLVMGetNamedGlobal(st->module, "__heatmap_recording_v3");
    if (!g) {
        g = LLVMAddGlobal(st->module, st->i32, "__heatmap_recording_v3");
        LLVMSetAlignment(g, 4);
    } else if (LLVMGlobalGetValueType(g) != st->i32) {
        g = LLVMConstBitCast(g, LLVMPointerType(st->i32, 0)); /* a user's odd declaration */
    }
    return g;
}

/* The thread's count-only counters, `@__heatmap_counts_v3 = external thread_local(initialexec)
 * global i64*`, declared once. */
static LLVMValueRef get_counts_tls(hm_pass_state *st) {
    LLVMTypeRef type = LLVMPointerType(st->i64, 0);
    LLVMValueRef g = LLVMGetNamedGlobal(st->module, "__heatmap_counts_v3");
    if (!g) {
        g = LLVMAddGlobal(st->module, type, "__heatmap_counts_v3");
        LLVMSetThreadLocal(g, 1);
        LLVMSetThreadLocalMode(g, LLVMInitialExecTLSModel);
        LLVMSetAlignment(g, 8);
    } else if (LLVMGlobalGetValueType(g) != type) {
        g = LLVMConstBitCast(g, LLVMPointerType(type, 0));
    }
    return g;
}

/* `br i1 cond, label then, label other` with "likely taken" weights (2000:1, as clang gives
 * __builtin_expect(x, 1)) when `likely`, at the end of the builder's block. */
static LLVMValueRef cond_br(hm_pass_state *st, LLVMValueRef cond, LLVMBasicBlockRef then,
                            LLVMBasicBlockRef other, bool likely, LLVMMetadataRef loc) {
    LLVMValueRef br = LLVMBuildCondBr(st->builder, cond, then, other);
    if (likely) {
        LLVMValueRef w[3] = {LLVMMDStringInContext(st->ctx, "branch_weights", 14),
                             LLVMConstInt(st->i32, 2000, 0), LLVMConstInt(st->i32, 1, 0)};
        LLVMSetMetadata(br, st->kind_prof, LLVMMDNodeInContext(st->ctx, w, 3));
    }
    if (loc)
        LLVMInstructionSetDebugLoc(br, loc);
    return br;
}

static void set_loc(LLVMValueRef inst, LLVMMetadataRef loc) {
    if (loc && inst && LLVMIsAInstruction(inst))
        LLVMInstructionSetDebugLoc(inst, loc);
}

/* `load atomic TYPE, ptr monotonic`, left alone by sanitizers, at `loc`. */
static LLVMValueRef load_relaxed(hm_pass_state *st, LLVMTypeRef type, LLVMValueRef ptr,
                                 unsigned align, const char *name, LLVMMetadataRef loc) {
    LLVMValueRef v = LLVMBuildLoad2(st->builder, type, ptr, name);
    LLVMSetOrdering(v, LLVMAtomicOrderingMonotonic);
    LLVMSetAlignment(v, align);
    LLVMSetMetadata(v, st->kind_nosanitize, LLVMMDNodeInContext(st->ctx, NULL, 0));
    set_loc(v, loc);
    return v;
}

/* A new block named `name`, placed before `next`. */
static LLVMBasicBlockRef new_block(hm_pass_state *st, LLVMBasicBlockRef next, const char *name) {
    return LLVMInsertBasicBlockInContext(st->ctx, next, name);
}

static LLVMValueRef private_string(hm_pass_state *st, const char *name, const char *text) {
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
static LLVMValueRef file_string_for(hm_pass_state *st, const char *path) {
    for (size_t i = 0; i < st->file_count; i++)
        if (strcmp(st->files[i].path, path) == 0)
            return st->files[i].global;
    st->files = hm_xrealloc(st->files, (st->file_count + 1) * sizeof *st->files);
    hm_pass_file *f = &st->files[st->file_count++];
    f->path = copy_n(path, strlen(path));
    f->global = private_string(st, "__heatmap.file", path);
    return f->global;
}

/* The element type of the appending array `name`, or `fallback` when it does not exist yet. */
static LLVMTypeRef appending_element_type(hm_pass_state *st, const char *name,
                                          LLVMTypeRef fallback) {
    LLVMValueRef g = LLVMGetNamedGlobal(st->module, name);
    if (!g)
        return fallback;
    LLVMTypeRef t = LLVMGlobalGetValueType(g);
    return LLVMGetTypeKind(t) == LLVMArrayTypeKind ? LLVMGetElementType(t) : fallback;
}

/* Rebuilds the appending array global `name` (llvm.global_ctors, llvm.compiler.used) as its
 * existing elements plus `element`, keeping its section. */
static void append_to_array(hm_pass_state *st, const char *name, LLVMTypeRef elem_type,
                            LLVMValueRef element) {
    LLVMValueRef old = LLVMGetNamedGlobal(st->module, name);
    unsigned n = 0;
    if (old && LLVMGetTypeKind(LLVMGlobalGetValueType(old)) == LLVMArrayTypeKind)
        n = LLVMGetArrayLength(LLVMGlobalGetValueType(old));
    LLVMValueRef *elems = hm_xmalloc((n + 1) * sizeof *elems);
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

/* The location EntryExitInstrumenter gives its calls. */
LLVMMetadataRef hm_emit_location(hm_pass_state *st, LLVMValueRef fn) {
    LLVMMetadataRef sp = LLVMGetSubprogram(fn);
    if (!sp)
        return NULL;
    unsigned line = hm_llvm_subprogram_scope_line(sp);
    if (line == 0)
        line = LLVMDISubprogramGetLine(sp);
    return LLVMDIBuilderCreateDebugLocation(st->ctx, line, 0, sp, NULL);
}

static bool is_static_alloca(LLVMValueRef inst) {
    return LLVMIsAAllocaInst(inst) && LLVMIsAConstant(LLVMGetOperand(inst, 0));
}

/* Where the enter call's guard splits the entry block: after its leading allocas and debug
 * intrinsics, so that the allocas stay in the entry block, where mem2reg and SROA look for them
 * and where the backend makes them part of the fixed frame. A fixed-size alloca found further down
 * the entry block is moved up before the split point for the same reason (an alloca has no
 * operand but its constant size, so it can move up freely). */
static LLVMValueRef entry_split_point(hm_pass_state *st, LLVMValueRef fn) {
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

void hm_emit_hooks(hm_pass_state *st) {
    LLVMTypeRef hook_type = LLVMFunctionType(LLVMVoidTypeInContext(st->ctx), &st->i8ptr, 1, 0);
    unsigned hot = hook_call_conv(st);
    st->enter = get_hook(st, "__heatmap_enter_v3", hook_type, hot);
    st->exit = get_hook(st, "__heatmap_exit_v3", hook_type, hot);
    st->count = get_hook(st, "__heatmap_count_v3", hook_type, hot);
    st->landing = get_hook(st, "__heatmap_landing_v3", hook_type, LLVMCCallConv);
    st->recording = get_recording_flag(st);
    st->counts = get_counts_tls(st);
}

/* The entry, after the entry block's allocas (an entry block has no PHIs or EH pads):
 *     %heatmap.state = load atomic i8, i8* <record.state> monotonic, align 8
 *     %heatmap.counted = icmp eq i8 %heatmap.state, 1              ; HM_STATE_COUNTED
 *     br i1 %heatmap.counted, label %heatmap.count, label %heatmap.check
 *   heatmap.check:
 *     %heatmap.timed.now = icmp eq i8 %heatmap.state, 0            ; HM_STATE_TIMED
 *     br i1 %heatmap.timed.now, label %heatmap.enter, label %heatmap.body   ; else HM_STATE_OFF
 *   heatmap.enter:
 *     call void @__heatmap_enter_v3(record)
 *     br label %heatmap.body
 *   heatmap.count:                                   ; throttled: count, do not time
 *     %heatmap.counts = load i64*, i64** @__heatmap_counts_v3   ; initial-exec TLS
 *     %heatmap.ready = icmp ne i64* %heatmap.counts, null
 *     br i1 %heatmap.ready, label %heatmap.count.add, label %heatmap.count.new, !prof (likely)
 *   heatmap.count.add:
 *     %heatmap.id = load atomic i32, i32* <record.id> monotonic, align 4
 *     %heatmap.slot = getelementptr i64, i64* %heatmap.counts, i64 (zext %heatmap.id)
 *     load, add 1, store                             ; one `incq` on x86
 *     br label %heatmap.body
 *   heatmap.count.new:                               ; the thread's first count-only call
 *     call void @__heatmap_count_v3(record)
 *     br label %heatmap.body
 *   heatmap.body:
 *     %heatmap.timed = phi i1 [ false, %heatmap.check ], [ true, %heatmap.enter ],
 *                             [ false, %heatmap.count.add ], [ false, %heatmap.count.new ]
 * The state byte alone decides (abi.h): the runtime marks every record HM_STATE_OFF at its
 * registration when the run records nothing (HEATMAP=off), and the enter hook tests the recording
 * flag itself for the moments around a recording run (before the runtime starts, after it has
 * written its results). A count-only call is so a load, a compare and the add; a call with
 * recording off a load and two compares, with no flag to reach through the GOT.
 * A pinned function (one that calls setjmp: HM_STATE_PINNED) is never count-only, so that a
 * longjmp landing in it always finds its frame: its entry calls enter when the state is
 * HM_STATE_PINNED (not off), with no count blocks.
 */
LLVMValueRef hm_emit_enter(hm_pass_state *st, LLVMValueRef fn, LLVMValueRef record,
                           LLVMMetadataRef loc, bool pinned) {
    LLVMValueRef split = entry_split_point(st, fn);
    LLVMBasicBlockRef head = LLVMGetInstructionParent(split);
    position_before(st, split);
    LLVMValueRef state_ptr =
        LLVMBuildStructGEP2(st->builder, st->record_type, record, 4, "heatmap.state.addr");
    LLVMValueRef state = load_relaxed(st, st->i8, state_ptr, 8, "heatmap.state", loc);
    LLVMValueRef f = LLVMConstInt(st->i1, 0, 0), t = LLVMConstInt(st->i1, 1, 0);
    if (pinned) { /* never count-only: the enter call unless the record is off */
        LLVMValueRef on = LLVMBuildICmp(st->builder, LLVMIntEQ, state,
                                        LLVMConstInt(st->i8, HM_STATE_PINNED, 0), "heatmap.on");
        set_loc(on, loc);
        LLVMValueRef then_term =
            hm_llvm_split_if_then(on, split, "heatmap.enter", "heatmap.body", loc);
        call_hook(st, &st->enter, record, then_term, loc);
        position_before(st, LLVMGetFirstInstruction(LLVMGetInstructionParent(split)));
        LLVMValueRef timed = LLVMBuildPhi(st->builder, st->i1, "heatmap.timed");
        LLVMValueRef values[2] = {f, t};
        LLVMBasicBlockRef blocks[2] = {head, LLVMGetInstructionParent(then_term)};
        LLVMAddIncoming(timed, values, blocks, 2);
        set_loc(timed, loc);
        return timed;
    }
    LLVMValueRef counted =
        LLVMBuildICmp(st->builder, LLVMIntEQ, state, LLVMConstInt(st->i8, HM_STATE_COUNTED, 0),
                      "heatmap.counted");
    set_loc(counted, loc);
    LLVMValueRef then_term =
        hm_llvm_split_if_then(counted, split, "heatmap.count", "heatmap.body", loc);
    LLVMBasicBlockRef count = LLVMGetInstructionParent(then_term);
    LLVMBasicBlockRef body = LLVMGetInstructionParent(split);
    LLVMInstructionEraseFromParent(then_term);
    LLVMBasicBlockRef check = new_block(st, count, "heatmap.check");
    LLVMBasicBlockRef enter = new_block(st, body, "heatmap.enter");
    LLVMBasicBlockRef add = new_block(st, body, "heatmap.count.add");
    LLVMBasicBlockRef slow = new_block(st, body, "heatmap.count.new");
    LLVMSetSuccessor(LLVMGetBasicBlockTerminator(head), 1, check);

    LLVMPositionBuilderAtEnd(st->builder, check);
    LLVMValueRef timed_now =
        LLVMBuildICmp(st->builder, LLVMIntEQ, state, LLVMConstInt(st->i8, HM_STATE_TIMED, 0),
                      "heatmap.timed.now");
    set_loc(timed_now, loc);
    cond_br(st, timed_now, enter, body, false, loc);

    LLVMPositionBuilderAtEnd(st->builder, enter);
    set_loc(LLVMBuildBr(st->builder, body), loc);
    call_hook(st, &st->enter, record, LLVMGetBasicBlockTerminator(enter), loc);

    LLVMPositionBuilderAtEnd(st->builder, count);
    LLVMTypeRef i64ptr = LLVMPointerType(st->i64, 0);
    LLVMValueRef counts = LLVMBuildLoad2(st->builder, i64ptr, st->counts, "heatmap.counts");
    LLVMSetAlignment(counts, 8);
    set_loc(counts, loc);
    LLVMValueRef ready =
        LLVMBuildICmp(st->builder, LLVMIntNE, counts, LLVMConstNull(i64ptr), "heatmap.ready");
    set_loc(ready, loc);
    cond_br(st, ready, add, slow, true, loc);

    LLVMPositionBuilderAtEnd(st->builder, add);
    LLVMValueRef id_ptr =
        LLVMBuildStructGEP2(st->builder, st->record_type, record, 3, "heatmap.id.addr");
    LLVMValueRef id = load_relaxed(st, st->i32, id_ptr, 4, "heatmap.id", loc);
    LLVMValueRef index = LLVMBuildZExt(st->builder, id, st->i64, "heatmap.index");
    set_loc(index, loc);
    LLVMValueRef slot = LLVMBuildGEP2(st->builder, st->i64, counts, &index, 1, "heatmap.slot");
    set_loc(slot, loc);
    LLVMValueRef old = LLVMBuildLoad2(st->builder, st->i64, slot, "heatmap.calls");
    LLVMSetAlignment(old, 8);
    LLVMSetMetadata(old, st->kind_nosanitize, LLVMMDNodeInContext(st->ctx, NULL, 0));
    set_loc(old, loc);
    LLVMValueRef inc =
        LLVMBuildAdd(st->builder, old, LLVMConstInt(st->i64, 1, 0), "heatmap.calls.next");
    set_loc(inc, loc);
    LLVMValueRef store = LLVMBuildStore(st->builder, inc, slot);
    LLVMSetAlignment(store, 8);
    LLVMSetMetadata(store, st->kind_nosanitize, LLVMMDNodeInContext(st->ctx, NULL, 0));
    set_loc(store, loc);
    set_loc(LLVMBuildBr(st->builder, body), loc);

    LLVMPositionBuilderAtEnd(st->builder, slow);
    set_loc(LLVMBuildBr(st->builder, body), loc);
    call_hook(st, &st->count, record, LLVMGetBasicBlockTerminator(slow), loc);

    position_before(st, LLVMGetFirstInstruction(body));
    LLVMValueRef timed = LLVMBuildPhi(st->builder, st->i1, "heatmap.timed");
    LLVMValueRef values[4] = {f, t, f, f};
    LLVMBasicBlockRef blocks[4] = {check, enter, add, slow};
    LLVMAddIncoming(timed, values, blocks, 4);
    set_loc(timed, loc);
    return timed;
}

void hm_emit_exit(hm_pass_state *st, LLVMValueRef record, LLVMValueRef timed, LLVMValueRef before,
                  LLVMMetadataRef loc, const char *tail_name) {
    LLVMValueRef then_term = hm_llvm_split_if_then(timed, before, "heatmap.exit", tail_name, loc);
    call_hook(st, &st->exit, record, then_term, loc);
}

/* After the setjmp-like call `call` (an integer result, non-zero where a longjmp lands):
 *     %heatmap.recording = load atomic i32, i32* @__heatmap_recording_v3 monotonic, align 4
 *     %heatmap.on = icmp ne i32 %heatmap.recording, 0
 *     %heatmap.jumped = icmp ne i32 %call, 0
 *     %heatmap.land = and i1 %heatmap.on, %heatmap.jumped
 *     br i1 %heatmap.land, label %heatmap.landing, label %heatmap.landed, !prof (unlikely)
 *   heatmap.landing:
 *     %heatmap.frame = select i1 %heatmap.timed, i8* <record>, i8* null
 *     call void @__heatmap_landing_v3(i8* %heatmap.frame)
 *     br label %heatmap.landed
 *   heatmap.landed:
 *     ... what followed the call
 * The record tells the runtime which frame is the landing activation's; null when this activation
 * has none (count-only, or recording was off at its entry), and in a function not instrumented
 * (`record` NULL here: no select). */
void hm_emit_landing(hm_pass_state *st, LLVMValueRef record, LLVMValueRef timed, LLVMValueRef call,
                     LLVMMetadataRef loc) {
    LLVMValueRef before = LLVMGetNextInstruction(call);
    if (!before)
        return;
    position_before(st, before);
    LLVMValueRef flag = load_relaxed(st, st->i32, st->recording, 4, "heatmap.recording", loc);
    LLVMValueRef on =
        LLVMBuildICmp(st->builder, LLVMIntNE, flag, LLVMConstInt(st->i32, 0, 0), "heatmap.on");
    set_loc(on, loc);
    LLVMValueRef jumped = LLVMBuildICmp(st->builder, LLVMIntNE, call,
                                        LLVMConstNull(LLVMTypeOf(call)), "heatmap.jumped");
    set_loc(jumped, loc);
    LLVMValueRef land = LLVMBuildAnd(st->builder, on, jumped, "heatmap.land");
    set_loc(land, loc);
    LLVMValueRef then_term =
        hm_llvm_split_if_then(land, before, "heatmap.landing", "heatmap.landed", loc);
    /* A longjmp is the exception: "unlikely", the weights clang gives __builtin_expect(x, 0). */
    LLVMValueRef branch = LLVMGetBasicBlockTerminator(LLVMGetInstructionParent(land));
    LLVMValueRef w[3] = {LLVMMDStringInContext(st->ctx, "branch_weights", 14),
                         LLVMConstInt(st->i32, 1, 0), LLVMConstInt(st->i32, 2000, 0)};
    LLVMSetMetadata(branch, st->kind_prof, LLVMMDNodeInContext(st->ctx, w, 3));
    LLVMValueRef frame = LLVMConstNull(st->i8ptr);
    if (record) {
        position_before(st, then_term);
        frame = LLVMBuildSelect(st->builder, timed, as_i8ptr(st, record), frame, "heatmap.frame");
        set_loc(frame, loc);
    }
    call_hook_with(st, &st->landing, frame, then_term, loc);
}

LLVMValueRef hm_emit_record(hm_pass_state *st, const hm_function_info *info, bool pinned) {
    LLVMValueRef fields[5] = {
        as_i8ptr(st, private_string(st, "__heatmap.name", info->name)),
        as_i8ptr(st, file_string_for(st, info->file ? info->file : "")),
        LLVMConstInt(st->i32, info->line, 0),
        LLVMConstInt(st->i32, 0, 0),
        LLVMConstInt(st->i8, pinned ? HM_STATE_PINNED : HM_STATE_TIMED, 0),
    };
    char *gname = hm_xmalloc(strlen(info->symbol) + sizeof "__heatmap.rec.");
    sprintf(gname, "__heatmap.rec.%s", info->symbol);
    LLVMValueRef rec = LLVMAddGlobal(st->module, st->record_type, gname);
    free(gname);
    LLVMSetInitializer(rec, LLVMConstNamedStruct(st->record_type, fields, 5));
    LLVMSetLinkage(rec, LLVMInternalLinkage);
    LLVMSetAlignment(rec, 8);
    st->records[st->record_count++] = rec;
    return rec;
}

void hm_emit_table_and_ctor(hm_pass_state *st) {
    LLVMValueRef *elems = hm_xmalloc(st->record_count * sizeof *elems);
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
    hm_hook reg = get_hook(st, "__heatmap_register_v3", hook_type, LLVMCCallConv);
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

/* Appends `g` to llvm.used (kept through optimisation and, marked SHF_GNU_RETAIN where the
 * assembler and linker know it, through --gc-sections), which lives in section llvm.metadata. */
static void keep_used(hm_pass_state *st, LLVMValueRef g) {
    LLVMTypeRef elem = appending_element_type(st, "llvm.used", st->i8ptr);
    append_to_array(st, "llvm.used", elem, LLVMConstBitCast(g, elem));
    LLVMValueRef used = LLVMGetNamedGlobal(st->module, "llvm.used");
    if (used)
        LLVMSetSection(used, "llvm.metadata");
}

/* heatmap.yaml's runtime: section as the module's hm_settings_record (abi.h):
 *   @__heatmap.settings = private constant { i32, i32, [N x i8] }
 *       { i32 1, i32 N, [N x i8] c"#config=/p/heatmap.yaml\0AHEATMAP_OUTPUT=out.json\0A\00" },
 *       section "heatmap_settings", align 4
 *   @__heatmap.settings.abi = private constant i8* bitcast (i32* @__heatmap_settings_v1 to i8*)
 * both in llvm.used. The second makes the object reference __heatmap_settings_v1, so that it does
 * not link with a runtime that would ignore the record. Nothing when runtime: sets nothing. */
void hm_emit_settings(hm_pass_state *st, const hm_config *cfg) {
    char *text = NULL;
    if (hm_config_runtime_text(cfg, &text) != 0)
        hm_plugin_checked(NULL); /* out of memory */
    if (text == NULL)
        return;
    size_t n = strlen(text) + 1;
    LLVMValueRef fields[3] = {LLVMConstInt(st->i32, HM_SETTINGS_VERSION, 0),
                              LLVMConstInt(st->i32, n, 0),
                              LLVMConstStringInContext(st->ctx, text, (unsigned)(n - 1), 0)};
    free(text);
    LLVMValueRef init = LLVMConstStructInContext(st->ctx, fields, 3, 0);
    LLVMValueRef g = LLVMAddGlobal(st->module, LLVMTypeOf(init), "__heatmap.settings");
    LLVMSetInitializer(g, init);
    LLVMSetLinkage(g, LLVMPrivateLinkage);
    LLVMSetGlobalConstant(g, 1);
    LLVMSetSection(g, HM_SETTINGS_SECTION);
    LLVMSetAlignment(g, 4);
    keep_used(st, g);

    LLVMValueRef abi = LLVMGetNamedGlobal(st->module, "__heatmap_settings_v1");
    if (!abi) {
        abi = LLVMAddGlobal(st->module, st->i32, "__heatmap_settings_v1");
        LLVMSetGlobalConstant(abi, 1);
    }
    LLVMValueRef ref = LLVMAddGlobal(st->module, st->i8ptr, "__heatmap.settings.abi");
    LLVMSetInitializer(ref, as_i8ptr(st, abi));
    LLVMSetLinkage(ref, LLVMPrivateLinkage);
    LLVMSetGlobalConstant(ref, 1);
    keep_used(st, ref);
}

void hm_emit_marker(hm_pass_state *st) {
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