; An existing @llvm.global_ctors keeps its entries, in order, and gets ours appended; an existing
; @llvm.compiler.used likewise keeps its entries and gains the marker.
; RUN: %opt -passes=heatmap -heatmap-config=%S/Inputs/all.yaml -S %s | %FileCheck %s

source_filename = "global_ctors.c"

@keep = internal global i32 0
@llvm.global_ctors = appending global [2 x { i32, void ()*, i8* }] [
  { i32, void ()*, i8* } { i32 65535, void ()* @user_ctor, i8* null },
  { i32, void ()*, i8* } { i32 200, void ()* @early_ctor, i8* bitcast (i32* @keep to i8*) }]
@llvm.compiler.used = appending global [1 x i8*] [i8* bitcast (i32* @keep to i8*)], section "llvm.metadata"

; CHECK: @llvm.global_ctors = appending global [3 x { i32, {{void \(\)\*|ptr}}, {{i8\*|ptr}} }]
; CHECK-SAME: [{ i32, {{void \(\)\*|ptr}}, {{i8\*|ptr}} } { i32 65535, {{void \(\)\*|ptr}} @user_ctor, {{i8\*|ptr}} null },
; CHECK-SAME: { i32, {{void \(\)\*|ptr}}, {{i8\*|ptr}} } { i32 200, {{void \(\)\*|ptr}} @early_ctor, {{(ptr |i8\* bitcast \(.* )}}@keep{{( to i8\*\))?}} },
; CHECK-SAME: { i32, {{void \(\)\*|ptr}}, {{i8\*|ptr}} } { i32 1, {{void \(\)\*|ptr}} @heatmap.module_ctor, {{i8\*|ptr}} null }]
; CHECK: @llvm.compiler.used = appending global [2 x {{i8\*|ptr}}] [{{(ptr |i8\* bitcast \(.* )}}@keep{{( to i8\*\))?}}, {{i8\*|ptr}} @__heatmap_instrumented_module], section "llvm.metadata"
; CHECK-NOT: @llvm.global_ctors{{.*}} = appending

define internal void @user_ctor() {
  store i32 1, i32* @keep
  ret void
}

define internal void @early_ctor() {
  store i32 2, i32* @keep
  ret void
}
; The user's constructors are instrumented like any other function.
; CHECK-LABEL: define internal void @user_ctor()
; CHECK-NEXT: %heatmap.state = load atomic i8, {{.*}}@__heatmap.rec.
; CHECK: call void @__heatmap_enter_v3(
; CHECK-LABEL: define internal void @early_ctor()
; CHECK-NEXT: %heatmap.state = load atomic i8, {{.*}}@__heatmap.rec.
; CHECK: call void @__heatmap_enter_v3(
