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

; CHECK: @llvm.global_ctors = appending global [1 x
; CHECK-COUNT-1: @__heatmap_instrumented_module = private constant i8 1
; CHECK-NOT: @__heatmap_instrumented_module
; CHECK: @llvm.compiler.used = appending global [1 x {{i8\*|ptr}}]

define void @f() {
; CHECK-LABEL: define void @f()
; CHECK-NEXT: call void @__heatmap_enter_v1(
; CHECK-NEXT: call void @__heatmap_exit_v1(
; CHECK-NEXT: ret void
  ret void
}
; CHECK-COUNT-1: define internal void @heatmap.module_ctor()
; CHECK-NOT: define internal void @heatmap.module_ctor

; MARKED-NOT: @__heatmap.rec
; MARKED-NOT: @llvm.global_ctors
; MARKED-LABEL: define void @f()
; MARKED-NEXT: ret void
; MARKED-NOT: heatmap.module_ctor
