; The trivial rule: a function with no calls, no loops and fewer IR instructions than
; trivial.max_instructions is skipped, unless an include names it exactly. Debug and lifetime
; intrinsics are neither calls nor instructions for this rule.
; RUN: %opt -passes=heatmap -heatmap-config=%S/Inputs/trivial.yaml -heatmap-report=%t.jsonl -S %s \
; RUN:   | %FileCheck %s
; RUN: %FileCheck --check-prefix=REPORT %s < %t.jsonl
; With the rule off (max_instructions: 0) everything is instrumented.
; RUN: %opt -passes=heatmap -heatmap-config=%S/Inputs/all.yaml -S %s | %FileCheck --check-prefix=OFF %s

source_filename = "trivial.c"

declare void @ext()
declare void @llvm.lifetime.start.p0i8(i64, i8* nocapture)
declare void @llvm.lifetime.end.p0i8(i64, i8* nocapture)

; 2 instructions: trivial.
define i32 @tiny(i32 %x) {
  %y = add i32 %x, 1
  ret i32 %y
}

; As small, but named exactly by functions.include.
define i32 @tiny_named(i32 %x) {
  %y = add i32 %x, 1
  ret i32 %y
}

; Small, but calls something.
define void @calls() {
  call void @ext()
  ret void
}

; Small, but loops.
define void @loops(i32 %n) {
entry:
  br label %l
l:
  %i = phi i32 [ 0, %entry ], [ %j, %l ]
  %j = add i32 %i, 1
  %c = icmp slt i32 %j, %n
  br i1 %c, label %l, label %out
out:
  ret void
}

; No call, no loop, 6 instructions: not below the threshold.
define i32 @six(i32 %a, i32 %b) {
  %1 = add i32 %a, %b
  %2 = mul i32 %1, %a
  %3 = sub i32 %2, %b
  %4 = xor i32 %3, %a
  %5 = or i32 %4, %b
  ret i32 %5
}

; 3 real instructions; the lifetime markers are ignored: trivial.
define void @lifetimes() {
  %a = alloca [8 x i8]
  %p = getelementptr [8 x i8], [8 x i8]* %a, i32 0, i32 0
  call void @llvm.lifetime.start.p0i8(i64 8, i8* %p)
  call void @llvm.lifetime.end.p0i8(i64 8, i8* %p)
  ret void
}

; CHECK-LABEL: define i32 @tiny(
; CHECK-NEXT: %y = add
; CHECK-LABEL: define i32 @tiny_named(
; CHECK-NEXT: %heatmap.state = load atomic i8, {{.*}}@__heatmap.rec.
; CHECK: call void @__heatmap_enter_v3(
; CHECK-LABEL: define void @calls(
; CHECK-NEXT: %heatmap.state = load atomic i8, {{.*}}@__heatmap.rec.
; CHECK: call void @__heatmap_enter_v3(
; CHECK-LABEL: define void @loops(
; CHECK-NEXT: entry:
; CHECK-NEXT: %heatmap.state = load atomic i8, {{.*}}@__heatmap.rec.
; CHECK: call void @__heatmap_enter_v3(
; CHECK-LABEL: define i32 @six(
; CHECK-NEXT: %heatmap.state = load atomic i8, {{.*}}@__heatmap.rec.
; CHECK: call void @__heatmap_enter_v3(
; CHECK-LABEL: define void @lifetimes(
; CHECK-NEXT: %a = alloca

; REPORT-DAG: "function":"tiny",{{.*}}"instrumented":false,"reason":"trivial"}
; REPORT-DAG: "function":"tiny_named",{{.*}}"instrumented":true,"reason":"included"}
; REPORT-DAG: "function":"calls",{{.*}}"instrumented":true,
; REPORT-DAG: "function":"loops",{{.*}}"instrumented":true,
; REPORT-DAG: "function":"six",{{.*}}"instrumented":true,
; REPORT-DAG: "function":"lifetimes",{{.*}}"instrumented":false,"reason":"trivial"}

; OFF-LABEL: define i32 @tiny(
; OFF-NEXT: %heatmap.state = load atomic i8, {{.*}}@__heatmap.rec.
; OFF: call void @__heatmap_enter_v3(
; OFF-LABEL: define void @lifetimes(
; OFF-NEXT: %a = alloca [8 x i8]
; OFF-NEXT: %heatmap.state = load atomic i8, {{.*}}@__heatmap.rec.
; OFF: call void @__heatmap_enter_v3(
