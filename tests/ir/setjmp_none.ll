; A module whose functions are all left out (functions.exclude skip_*) gets no landing call after
; its setjmp calls either: it references nothing of the runtime and links without it, as before
; landing calls existed (tests/ir/setjmp.ll has the module that instruments something).
; RUN: %opt -passes=heatmap -heatmap-config=%S/Inputs/exclude.yaml -S %s -o %t.ll
; RUN: %FileCheck %s < %t.ll
; RUN: %opt -passes=verify -S %t.ll -o /dev/null

source_filename = "setjmp_none.c"

declare i32 @_setjmp(i8*) returns_twice
declare void @work(i32)
@buf = global [200 x i8] zeroinitializer

; CHECK-NOT: __heatmap_landing_v3
; CHECK-NOT: __heatmap_recording_v3
; CHECK-LABEL: define i32 @skip_lands(
; CHECK: %r = call i32 @_setjmp(
; CHECK-NEXT: call void @work(i32 %r)
; CHECK-NOT: __heatmap_
define i32 @skip_lands(i32 %x) {
entry:
  %r = call i32 @_setjmp(i8* getelementptr ([200 x i8], [200 x i8]* @buf, i64 0, i64 0))
  call void @work(i32 %r)
  ret i32 %r
}
