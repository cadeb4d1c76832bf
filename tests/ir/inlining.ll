; `instrument:` chooses the extension point. before-inlining (the default when functions.include
; names functions): the pass acts at the start of the pipeline, so a function inlined later still has
; its enter/exit calls, inside its caller. after-inlining (the default otherwise): it acts at the
; end of the optimisation pipeline, and only what survives inlining is instrumented. Either way the pass acts once, at one of the two points.
; RUN: %opt -passes='default<O2>' -heatmap-config=%S/Inputs/before.yaml -S %s \
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
; Each function keeps its own guard through -O2 (the flag's loads are atomic: never merged), and
; the exits test the entry's %heatmap.timed (which jump threading may turn into duplicated paths).
; With the count-only path (ABI v2) a small instrumented function is bigger, so the inliner may keep
; @callee out of line (as LLVM 14 does here): either way its enter and exit stay.
; BEFORE: call void @__heatmap_enter_v3({{.*}}@__heatmap.rec.callee
; BEFORE: call void @work(
; BEFORE: call void @__heatmap_exit_v3({{.*}}@__heatmap.rec.callee
; BEFORE-LABEL: define void @caller(
; BEFORE-NEXT: load atomic i8, {{.*}}@__heatmap.rec.
; BEFORE: call void @__heatmap_enter_v3({{.*}}@__heatmap.rec.caller
; BEFORE: call void @__heatmap_exit_v3({{.*}}@__heatmap.rec.caller
; BEFORE: ret void

; AFTER-NOT: @__heatmap.rec.callee
; AFTER: @__heatmap.rec.caller = internal global
; AFTER-NOT: @__heatmap.rec.callee
; AFTER-LABEL: define void @caller(
; AFTER-NEXT: load atomic i8, {{.*}}@__heatmap.rec.
; AFTER: call void @__heatmap_enter_v3({{.*}}@__heatmap.rec.caller
; AFTER: call void @work(
; AFTER-NEXT: br i1 %heatmap.timed
; AFTER: call void @__heatmap_exit_v3({{.*}}@__heatmap.rec.caller
; AFTER-NOT: {{ call }}
; AFTER: ret void

; ONCE-LABEL: define internal void @callee(
; ONCE-NEXT: load atomic i8, {{.*}}@__heatmap.rec.
; ONCE-COUNT-1: call void @__heatmap_enter_v3(
; ONCE: call void @work(
; ONCE-NEXT: br i1 %heatmap.timed
; ONCE-COUNT-1: call void @__heatmap_exit_v3(
; ONCE-NOT: call void @__heatmap_
; ONCE: ret void
; ONCE: define internal void @heatmap.module_ctor()
; ONCE-NOT: define internal void @heatmap.module_ctor()
