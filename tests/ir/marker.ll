; Running the pass twice instruments once: the first run leaves @__heatmap_instrumented_module,
; the second sees it and changes nothing. A module that already carries the marker (compiled
; with the plugin before, e.g. bitcode fed to an LTO link) is left as it is.
; RUN: %opt -passes=heatmap,heatmap -heatmap-config=%S/Inputs/all.yaml -S %s | %FileCheck %s
; RUN: %opt -passes=heatmap -heatmap-config=%S/Inputs/all.yaml -S %s \
; RUN:   | %opt -passes=heatmap -heatmap-config=%S/Inputs/all.yaml -S | %FileCheck %s
; RUN: sed 's/^;MARKED: //' %s | %opt -passes=heatmap -heatmap-config=%S/Inputs/all.yaml -S \
; RUN:   | %FileCheck --check-prefix=MARKED %s

source_filename = "marker.c"

;MARKED: @__heatmap_instrumented_module = private constant i8 1

; CHECK-COUNT-1: @__heatmap_recording_v3 = external global i32
; CHECK-NOT: @__heatmap_recording_v3{{.*}} = external
; CHECK: @llvm.global_ctors = appending global [1 x
; CHECK-COUNT-1: @__heatmap_instrumented_module = private constant i8 1
; CHECK-NOT: @__heatmap_instrumented_module
; CHECK: @llvm.compiler.used = appending global [1 x {{i8\*|ptr}}]
; CHECK-NOT: @__heatmap_recording_v3{{.*}} = external

define void @f() {
; CHECK-LABEL: define void @f()
; CHECK-NEXT: %heatmap.state = load atomic i8, {{.*}}@__heatmap.rec.
; CHECK-COUNT-1: call void @__heatmap_enter_v3(
; CHECK-NOT: call void @__heatmap_enter_v3(
; CHECK: br i1 %heatmap.timed
; CHECK-COUNT-1: call void @__heatmap_exit_v3(
; CHECK-NOT: @__heatmap_
; CHECK: ret void
; CHECK-NEXT: }
  ret void
}
; CHECK-COUNT-1: define internal void @heatmap.module_ctor()
; CHECK-NOT: define internal void @heatmap.module_ctor

; MARKED-NOT: @__heatmap.rec
; MARKED-NOT: @llvm.global_ctors
; MARKED-NOT: @__heatmap_recording_v3
; MARKED-LABEL: define void @f()
; MARKED-NEXT: ret void
; MARKED-NOT: heatmap.module_ctor
