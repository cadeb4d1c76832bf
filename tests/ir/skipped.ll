; Functions the pass must leave alone: declarations, naked functions, available_externally bodies
; (the real definition is elsewhere), the runtime's own __heatmap* functions, and
; __clang_call_terminate. The report says why for each.
; RUN: %opt -passes=heatmap -heatmap-config=%S/Inputs/all.yaml -heatmap-report=%t.jsonl -S %s \
; RUN:   | %FileCheck %s
; RUN: %FileCheck --check-prefix=REPORT %s < %t.jsonl

source_filename = "skipped.c"

; CHECK-NOT: @__heatmap.rec.naked_fn
; CHECK-NOT: @__heatmap.rec.inline_copy
; CHECK-NOT: @__heatmap.rec.__heatmap_helper
; CHECK: @__heatmap.rec.normal =
; CHECK-NOT: @__heatmap.rec.{{.*}} = internal global {
; CHECK: @__heatmap.table = internal global { i32, i32, {{i8\*|ptr}} } { i32 3, i32 1,

declare void @external(i32)

define void @naked_fn() naked {
; CHECK-LABEL: define void @naked_fn()
; CHECK-NEXT: call void asm sideeffect "ret"
; CHECK-NEXT: unreachable
  call void asm sideeffect "ret", ""()
  unreachable
}

define available_externally void @inline_copy(i32 %x) {
; CHECK-LABEL: define available_externally void @inline_copy(
; CHECK-NEXT: call void @external(i32 %x)
; CHECK-NEXT: ret void
  call void @external(i32 %x)
  ret void
}

define void @__heatmap_helper() {
; CHECK-LABEL: define void @__heatmap_helper()
; CHECK-NEXT: ret void
  ret void
}

define linkonce_odr hidden void @__clang_call_terminate(i8* %e) noreturn nounwind {
; CHECK-LABEL: define linkonce_odr hidden void @__clang_call_terminate(
; CHECK-NEXT: call void @external(i32 0)
  call void @external(i32 0)
  unreachable
}

define void @normal(i32 %x) {
; CHECK-LABEL: define void @normal(
; CHECK-NEXT: %heatmap.state = load atomic i8, {{.*}}@__heatmap.rec.
; CHECK: call void @__heatmap_enter_v3(
  call void @external(i32 %x)
  ret void
}

; REPORT-DAG: {"module":"skipped.c","function":"external","symbol":"external","file":null,"line":0,"instrumented":false,"reason":"declaration"}
; REPORT-DAG: {"module":"skipped.c","function":"naked_fn","symbol":"naked_fn","file":"skipped.c","line":0,"instrumented":false,"reason":"naked"}
; REPORT-DAG: {"module":"skipped.c","function":"inline_copy",{{.*}}"instrumented":false,"reason":"available_externally"}
; REPORT-DAG: {"module":"skipped.c","function":"__heatmap_helper",{{.*}}"instrumented":false,"reason":"heatmap runtime"}
; REPORT-DAG: {"module":"skipped.c","function":"__clang_call_terminate",{{.*}}"instrumented":false,"reason":"compiler-generated"}
; REPORT-DAG: {"module":"skipped.c","function":"normal","symbol":"normal","file":"skipped.c","line":0,"instrumented":true,"reason":"included"}
