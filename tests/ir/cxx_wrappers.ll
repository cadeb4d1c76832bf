; C++ functions that only forward to another function of the same source name are not
; instrumented, so that one call counts once: thunks (this-adjusting, virtual, covariant), a
; deleting destructor (D0) that calls the complete or base destructor (directly or through an
; alias), and a complete-object constructor or destructor (C1, D1) that calls the base-object
; variant (C2, D2). A C1 that is a body of its own (classes with virtual bases) is instrumented.
; RUN: %opt -passes=heatmap -heatmap-config=%S/Inputs/all.yaml -heatmap-report=%t.jsonl -S %s \
; RUN:   | %FileCheck %s
; RUN: %FileCheck --check-prefix=REPORT %s < %t.jsonl

source_filename = "wrappers.cpp"

declare void @_ZdlPv(i8*)
declare void @work()

; CHECK-LABEL: define void @_ZN1CD2Ev(
; CHECK-NEXT: %heatmap.state = load atomic i8, {{.*}}@__heatmap.rec.
; CHECK: call void @__heatmap_enter_v3(
define void @_ZN1CD2Ev(i8* %this) {
  call void @work()
  ret void
}
@_ZN1CD1Ev = alias void (i8*), void (i8*)* @_ZN1CD2Ev

; CHECK-LABEL: define void @_ZN1CD0Ev(
; CHECK-NEXT: call void @_ZN1CD1Ev(
define void @_ZN1CD0Ev(i8* %this) {
  call void @_ZN1CD1Ev(i8* %this)
  call void @_ZdlPv(i8* %this)
  ret void
}
; REPORT-DAG: "symbol":"_ZN1CD0Ev",{{.*}}"instrumented":false,"reason":"forwards to _ZN1CD2Ev: counted there"}

; CHECK-LABEL: define void @_ZThn8_N1CD0Ev(
; CHECK-NEXT: getelementptr
define void @_ZThn8_N1CD0Ev(i8* %this) {
  %adj = getelementptr i8, i8* %this, i64 -8
  tail call void @_ZN1CD0Ev(i8* %adj)
  ret void
}
; REPORT-DAG: "symbol":"_ZThn8_N1CD0Ev",{{.*}}"instrumented":false,"reason":"thunk: counted as the function it calls"}

; CHECK-LABEL: define void @_ZN1DC2Ev(
; CHECK-NEXT: %heatmap.state = load atomic i8, {{.*}}@__heatmap.rec.
; CHECK: call void @__heatmap_enter_v3(
define void @_ZN1DC2Ev(i8* %this) {
  call void @work()
  ret void
}
; CHECK-LABEL: define void @_ZN1DC1Ev(
; CHECK-NEXT: call void @_ZN1DC2Ev(
define void @_ZN1DC1Ev(i8* %this) {
  call void @_ZN1DC2Ev(i8* %this)
  ret void
}
; REPORT-DAG: "symbol":"_ZN1DC1Ev",{{.*}}"instrumented":false,"reason":"forwards to _ZN1DC2Ev: counted there"}

; A complete-object constructor with its own body (it calls the base class's, not its own C2).
; CHECK-LABEL: define void @_ZN1EC1Ev(
; CHECK-NEXT: %heatmap.state = load atomic i8, {{.*}}@__heatmap.rec.
; CHECK: call void @__heatmap_enter_v3(
define void @_ZN1EC1Ev(i8* %this) {
  call void @_ZN1DC2Ev(i8* %this)
  call void @work()
  ret void
}
; REPORT-DAG: "symbol":"_ZN1EC1Ev",{{.*}}"instrumented":true,"reason":"included"}
