; Where a longjmp lands: after every call of setjmp, _setjmp, sigsetjmp or __sigsetjmp, when it
; returns non-zero and recording is on, the landing call tells the runtime that the frames above
; this activation were unwound (issue 14: a count-only activation has no frame whose exit would
; close them). An instrumented function passes its record when its entry called enter (else null);
; a function left out by the config still gets the call, with null. Other returns_twice calls
; (vfork, getcontext) get none, nor do naked functions or available_externally bodies.
; RUN: %opt -passes=heatmap -heatmap-config=%S/Inputs/exclude.yaml -S %s -o %t.ll
; RUN: %FileCheck %s < %t.ll
; RUN: %opt -passes=verify -S %t.ll -o /dev/null
; The optimiser keeps the landing call on the path where setjmp returned non-zero.
; RUN: %opt -O2 -S %t.ll | %FileCheck --check-prefix=O2 %s

source_filename = "setjmp.c"

declare i32 @_setjmp(i8*) returns_twice
declare i32 @__sigsetjmp(i8*, i32) returns_twice
declare i32 @vfork() returns_twice
declare i32 @getcontext(i8*) returns_twice
declare void @work(i32)
@buf = global [200 x i8] zeroinitializer

; Its record is pinned (HM_STATE_PINNED = 2).
; CHECK: @__heatmap.rec.lands = internal global {{.*}} i32 0, i8 2 }

define i32 @lands(i32 %x) {
; CHECK-LABEL: define i32 @lands(
; Pinned: the enter call straight after the recording test, no state test, no count blocks.
; CHECK: br i1 %heatmap.on, label %heatmap.enter, label %heatmap.body
; CHECK: heatmap.enter:
; CHECK-NEXT: call void @__heatmap_enter_v3(
; CHECK: %heatmap.timed = phi i1 [ false, %{{[-a-z.0-9]+}} ], [ true, %heatmap.enter ]{{$}}
; CHECK-NOT: heatmap.count
; CHECK: %r = call i32 @_setjmp(
; CHECK-NEXT: %heatmap.recording{{[0-9]*}} = load atomic i32, {{.*}} @__heatmap_recording_v3 monotonic
; CHECK-NEXT: %heatmap.on{{[0-9]*}} = icmp ne i32 %heatmap.recording{{[0-9]*}}, 0
; CHECK-NEXT: %heatmap.jumped = icmp ne i32 %r, 0
; CHECK-NEXT: %heatmap.land = and i1 %heatmap.on{{[0-9]*}}, %heatmap.jumped
; CHECK-NEXT: br i1 %heatmap.land, label %heatmap.landing, label %heatmap.landed, !prof [[UNLIKELY:![0-9]+]]
; CHECK: heatmap.landing:
; CHECK-NEXT: %heatmap.frame = select i1 %heatmap.timed, {{.*}}@__heatmap.rec.lands{{.*}}, {{i8\*|ptr}} null
; CHECK-NEXT: call void @__heatmap_landing_v3({{i8\*|ptr}} %heatmap.frame)
; CHECK-NEXT: br label %heatmap.landed
; CHECK: heatmap.landed:
; CHECK-NEXT: %c = icmp eq i32 %r, 0
entry:
  %r = call i32 @_setjmp(i8* getelementptr ([200 x i8], [200 x i8]* @buf, i64 0, i64 0))
  %c = icmp eq i32 %r, 0
  br i1 %c, label %first, label %again
first:
  call void @work(i32 %x)
  ret i32 0
again:
  %s = call i32 @__sigsetjmp(i8* getelementptr ([200 x i8], [200 x i8]* @buf, i64 0, i64 0), i32 1)
  ret i32 %s
}
; The second setjmp (sigsetjmp) gets its own landing call, before the exit call.
; CHECK: %s = call i32 @__sigsetjmp(
; CHECK-NEXT: %heatmap.recording{{[0-9]*}} = load atomic i32
; CHECK: call void @__heatmap_landing_v3(
; CHECK: call void @__heatmap_exit_v3(
; CHECK: ret i32 %s

; Left out by the config (functions.exclude skip_*): the landing call, with no record.
define i32 @skip_lands(i32 %x) {
; CHECK-LABEL: define i32 @skip_lands(
; CHECK-NOT: @__heatmap_enter_v3
; CHECK: %r = call i32 @_setjmp(
; CHECK: heatmap.landing:
; CHECK-NEXT: call void @__heatmap_landing_v3({{i8\*|ptr}} null)
; CHECK-NOT: @__heatmap_exit_v3
; CHECK: ret i32
entry:
  %r = call i32 @_setjmp(i8* getelementptr ([200 x i8], [200 x i8]* @buf, i64 0, i64 0))
  call void @work(i32 %r)
  ret i32 %r
}

; Other returns_twice functions: no landing call.
define i32 @skip_others() {
; CHECK-LABEL: define i32 @skip_others(
; CHECK-NOT: @__heatmap_landing_v3
; CHECK: ret i32
entry:
  %p = call i32 @vfork()
  %g = call i32 @getcontext(i8* getelementptr ([200 x i8], [200 x i8]* @buf, i64 0, i64 0))
  %s = add i32 %p, %g
  ret i32 %s
}

; naked: no call of any kind.
define i32 @skip_naked() naked {
; CHECK-LABEL: define i32 @skip_naked(
; CHECK-NOT: @__heatmap_landing_v3
; CHECK: ret i32
entry:
  %r = call i32 @_setjmp(i8* getelementptr ([200 x i8], [200 x i8]* @buf, i64 0, i64 0))
  ret i32 %r
}

; CHECK: declare void @__heatmap_landing_v3(
; CHECK: [[UNLIKELY]] = !{!"branch_weights", i32 1, i32 2000}

; O2-LABEL: define i32 @lands(
; O2: call i32 @_setjmp(
; O2: call void @__heatmap_landing_v3(
; O2-LABEL: define i32 @skip_lands(
; O2: call void @__heatmap_landing_v3({{i8\*|ptr}} null)
