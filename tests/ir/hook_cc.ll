; The hooks that run on every call (enter, exit, count) are called with preserve_mostcc on x86-64
; (abi.h, HM_ABI_HOOK: the runtime preserves the general-purpose registers), so a leaf keeps its
; values in registers across them; their declarations carry the same convention (a call whose
; convention differs from its callee's is undefined). The landing and register calls stay C calls.
; Other targets, and a module without a triple, call every hook with the C convention.
; RUN: %opt -passes=heatmap -heatmap-config=%S/Inputs/all.yaml -S %s -o %t.ll
; RUN: %FileCheck %s < %t.ll
; RUN: %opt -passes=verify -S %t.ll -o /dev/null
; At -O2 on x86-64 the leaf saves no register around its hooks: no push but the stack alignment.
; RUN: %clang -O2 -S %t.ll -o %t.s
; RUN: %FileCheck --check-prefix=ASM %s < %t.s
; RUN: sed 's/x86_64-pc-linux-gnu/aarch64-unknown-linux-gnu/' %s \
; RUN:   | %opt -passes=heatmap -heatmap-config=%S/Inputs/all.yaml -S -o %t.arm.ll
; RUN: %FileCheck --check-prefix=OTHER %s < %t.arm.ll

target triple = "x86_64-pc-linux-gnu"
source_filename = "hook_cc.c"

declare i32 @_setjmp(i8*) returns_twice
@buf = global [200 x i8] zeroinitializer

; CHECK-LABEL: define i32 @leaf(
; CHECK: call preserve_mostcc void @__heatmap_enter_v3(
; CHECK: call preserve_mostcc void @__heatmap_count_v3(
; CHECK: call preserve_mostcc void @__heatmap_exit_v3(
; ASM-LABEL: leaf:
; ASM-NOT: pushq %rbx
; ASM-NOT: pushq %r12
; ASM-NOT: pushq %r13
; ASM-NOT: pushq %r14
; ASM-NOT: pushq %r15
; ASM-NOT: pushq %rbp
; The hooks are called through the GOT, never a lazily bound PLT entry, whose resolver does not
; preserve r10 (nonlazybind).
; ASM: callq *__heatmap_enter_v3@GOTPCREL(%rip)
; ASM-NOT: pushq
; ASM-NOT: @PLT
; ASM: -- End function
; OTHER-LABEL: define i32 @leaf(
; OTHER-NOT: preserve_mostcc
; OTHER: call void @__heatmap_enter_v3(
define i32 @leaf(i32* %p, i32 %i) {
  %q = getelementptr i32, i32* %p, i32 %i
  %v = load i32, i32* %q
  %w = mul i32 %v, %i
  %x = add i32 %w, 7
  ret i32 %x
}

; CHECK-LABEL: define i32 @lands(
; CHECK: call void @__heatmap_landing_v3(
define i32 @lands() {
  %r = call i32 @_setjmp(i8* getelementptr ([200 x i8], [200 x i8]* @buf, i32 0, i32 0))
  ret i32 %r
}

; CHECK-DAG: declare preserve_mostcc void @__heatmap_enter_v3(i8*) [[HOOK:#[0-9]+]]
; CHECK-DAG: declare preserve_mostcc void @__heatmap_exit_v3(i8*) [[HOOK]]
; CHECK-DAG: declare preserve_mostcc void @__heatmap_count_v3(i8*) [[HOOK]]
; CHECK-DAG: attributes [[HOOK]] = { {{.*}}nonlazybind{{.*}} }
; CHECK-DAG: declare void @__heatmap_landing_v3(i8*)
; CHECK-DAG: declare void @__heatmap_register_v3(i8*)
; CHECK-DAG: call void @__heatmap_register_v3(
