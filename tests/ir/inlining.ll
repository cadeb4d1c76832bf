; `instrument:` chooses the extension point. before-inlining (the default): the pass acts at the
; start of the pipeline, so a function inlined later still has its enter/exit calls, inside its
; caller. after-inlining: it acts at the end of the optimisation pipeline, and only what
; survives inlining is instrumented. Either way the pass acts once, at one of the two points.
; RUN: %opt -passes='default<O2>' -heatmap-config=%S/Inputs/all.yaml -S %s \
; RUN:   | %FileCheck --check-prefix=BEFORE %s
; RUN: %opt -passes='default<O2>' -heatmap-config=%S/Inputs/after.yaml -S %s \
; RUN:   | %FileCheck --check-prefix=AFTER %s
; The same with the two extension points named, as clang schedules them.
; RUN: %opt -passes='heatmap-pipeline-start,heatmap-optimizer-last' \
; RUN:   -heatmap-config=%S/Inputs/after.yaml -S %s | %FileCheck --check-prefix=ONCE %s
; RUN: %opt -passes='heatmap-pipeline-start,heatmap-optimizer-last' \
; RUN:   -heatmap-config=%S/Inputs/all.yaml -S %s | %FileCheck --check-prefix=ONCE %s

source_filename = "inlining.c"

declare void @work(i32)

define internal void @callee(i32 %x) nounwind {
  call void @work(i32 %x)
  ret void
}

define void @caller(i32 %x) nounwind {
  call void @callee(i32 %x)
  ret void
}

; BEFORE: @__heatmap.rec.callee = internal global
; BEFORE: @__heatmap.rec.caller = internal global
; BEFORE-LABEL: define void @caller(
; BEFORE-NEXT: call void @__heatmap_enter_v1({{.*}}@__heatmap.rec.caller
; BEFORE-NEXT: call void @__heatmap_enter_v1({{.*}}@__heatmap.rec.callee
; BEFORE-NEXT: call void @work(
; BEFORE-NEXT: call void @__heatmap_exit_v1({{.*}}@__heatmap.rec.callee
; BEFORE-NEXT: call void @__heatmap_exit_v1({{.*}}@__heatmap.rec.caller
; BEFORE-NEXT: ret void
; BEFORE-NOT: define internal void @callee

; AFTER-NOT: @__heatmap.rec.callee
; AFTER: @__heatmap.rec.caller = internal global
; AFTER-NOT: @__heatmap.rec.callee
; AFTER-LABEL: define void @caller(
; AFTER-NEXT: call void @__heatmap_enter_v1({{.*}}@__heatmap.rec.caller
; AFTER-NEXT: call void @work(
; AFTER-NEXT: call void @__heatmap_exit_v1({{.*}}@__heatmap.rec.caller
; AFTER-NEXT: ret void

; ONCE-LABEL: define internal void @callee(
; ONCE-NEXT: call void @__heatmap_enter_v1(
; ONCE-NEXT: call void @work(
; ONCE-NEXT: call void @__heatmap_exit_v1(
; ONCE: define internal void @heatmap.module_ctor()
; ONCE-NOT: define internal void @heatmap.module_ctor()
