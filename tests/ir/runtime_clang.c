// The runtime built by clang (CC=clang): the hooks' clock falls back to the monotonic clock
// through a wrapper that preserves registers, and clang must call it with that convention. When
// the wrapper was passed as a plain function pointer, the call was a mismatched one (undefined),
// and clang dropped the fallback: the hooks read the TSC even with HEATMAP_CLOCK=monotonic.
// RUN: %clang -O2 -mgeneral-regs-only -I%S/../../include -I%S/../../runtime -S -emit-llvm \
// RUN:   %S/../../runtime/hot_path.c -o %t.ll
// RUN: %FileCheck %s < %t.ll
// CHECK-LABEL: define {{.*}}preserve_mostcc void @__heatmap_enter_v3(
// CHECK: @hm_clock_active
// CHECK: call preserve_mostcc i64 @hm_clock_fallback()
// CHECK-LABEL: define {{.*}}preserve_mostcc void @__heatmap_exit_v3(
// CHECK: @hm_clock_active
// CHECK: call preserve_mostcc i64 @hm_clock_fallback()
