; A `ret` that follows a `musttail` call gets its exit call before the call (nothing may stand
; between a musttail call and its ret, except one bitcast), as EntryExitInstrumenter does. Its
; guard splits the block before the call, so the call and its ret stay together; the result
; verifies, also after -O2.
; RUN: %opt -passes=heatmap -heatmap-config=%S/Inputs/all.yaml -S %s -o %t.ll
; RUN: %FileCheck %s < %t.ll
; RUN: %opt -passes=verify -S %t.ll -o /dev/null
; RUN: %opt -O2 -S %t.ll | %FileCheck --check-prefix=O2 %s

source_filename = "musttail.c"

declare i32 @callee(i32)
declare i8* @make(i32)

define i32 @tail(i32 %x) nounwind {
; CHECK-LABEL: define i32 @tail(
; CHECK-NEXT: %heatmap.state = load atomic i8
; CHECK: heatmap.enter:
; CHECK-NEXT: call void @__heatmap_enter_v3(
; CHECK: heatmap.body:
; CHECK-NEXT: %heatmap.timed = phi i1 [ false, %{{[-a-z.0-9]+}} ], [ true, %heatmap.enter ], [ false, %heatmap.count.add ], [ false, %heatmap.count.new ]
; CHECK-NEXT: %y = add i32 %x, 1
; CHECK-NEXT: br i1 %heatmap.timed, label %heatmap.exit, label %heatmap.ret
; CHECK: heatmap.exit:
; CHECK-NEXT: call void @__heatmap_exit_v3(
; CHECK-NEXT: br label %heatmap.ret
; CHECK: heatmap.ret:
; CHECK-NEXT: %r = musttail call i32 @callee(i32 %y)
; CHECK-NEXT: ret i32 %r
  %y = add i32 %x, 1
  %r = musttail call i32 @callee(i32 %y)
  ret i32 %r
}

define i32* @tail_bitcast(i32 %x) nounwind {
; CHECK-LABEL: define {{i32\*|ptr}} @tail_bitcast(
; CHECK: heatmap.enter:
; CHECK-NEXT: call void @__heatmap_enter_v3(
; CHECK: heatmap.body:
; CHECK-NEXT: %heatmap.timed = phi i1 [ false, %{{[-a-z.0-9]+}} ], [ true, %heatmap.enter ], [ false, %heatmap.count.add ], [ false, %heatmap.count.new ]
; CHECK-NEXT: br i1 %heatmap.timed
; CHECK: heatmap.exit:
; CHECK-NEXT: call void @__heatmap_exit_v3(
; CHECK-NEXT: br label %heatmap.ret
; CHECK: heatmap.ret:
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
; CHECK: heatmap.body:
; CHECK-NEXT: %heatmap.timed = phi i1 [ false, %{{[-a-z.0-9]+}} ], [ true, %heatmap.enter ], [ false, %heatmap.count.add ], [ false, %heatmap.count.new ]
; CHECK-NEXT: %r = tail call i32 @callee(i32 %x)
; CHECK-NEXT: br i1 %heatmap.timed
; CHECK: heatmap.exit:
; CHECK-NEXT: call void @__heatmap_exit_v3(
; CHECK: heatmap.ret:
; CHECK-NEXT: ret i32 %r
  %r = tail call i32 @callee(i32 %x)
  ret i32 %r
}

; O2-LABEL: define i32 @tail(
; O2: call void @__heatmap_exit_v3(
; O2: musttail call i32 @callee(
; O2-NEXT: ret i32
