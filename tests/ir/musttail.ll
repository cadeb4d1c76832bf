; A `ret` that follows a `musttail` call gets its exit call before the call (nothing may stand
; between a musttail call and its ret, except one bitcast), as EntryExitInstrumenter does.
; RUN: %opt -passes=heatmap -heatmap-config=%S/Inputs/all.yaml -S %s | %FileCheck %s

source_filename = "musttail.c"

declare i32 @callee(i32)
declare i8* @make(i32)

define i32 @tail(i32 %x) nounwind {
; CHECK-LABEL: define i32 @tail(
; CHECK-NEXT: call void @__heatmap_enter_v1(
; CHECK-NEXT: %y = add i32 %x, 1
; CHECK-NEXT: call void @__heatmap_exit_v1(
; CHECK-NEXT: %r = musttail call i32 @callee(i32 %y)
; CHECK-NEXT: ret i32 %r
  %y = add i32 %x, 1
  %r = musttail call i32 @callee(i32 %y)
  ret i32 %r
}

define i32* @tail_bitcast(i32 %x) nounwind {
; CHECK-LABEL: define {{i32\*|ptr}} @tail_bitcast(
; CHECK-NEXT: call void @__heatmap_enter_v1(
; CHECK-NEXT: call void @__heatmap_exit_v1(
; CHECK-NEXT: %p = musttail call {{i8\*|ptr}} @make(i32 %x)
; CHECK-NEXT: %q = bitcast {{i8\*|ptr}} %p to {{i32\*|ptr}}
; CHECK-NEXT: ret {{i32\*|ptr}} %q
  %p = musttail call i8* @make(i32 %x)
  %q = bitcast i8* %p to i32*
  ret i32* %q
}

; A plain `tail` call is not musttail: the exit goes right before the ret.
define i32 @plain_tail(i32 %x) nounwind {
; CHECK-LABEL: define i32 @plain_tail(
; CHECK-NEXT: call void @__heatmap_enter_v1(
; CHECK-NEXT: %r = tail call i32 @callee(i32 %x)
; CHECK-NEXT: call void @__heatmap_exit_v1(
; CHECK-NEXT: ret i32 %r
  %r = tail call i32 @callee(i32 %x)
  ret i32 %r
}
