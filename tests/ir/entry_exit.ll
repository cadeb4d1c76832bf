; Enter call at the top of the entry block, an exit call right before every `ret`, each guarded
; by the runtime's recording flag, and the module-level record, table, constructor and marker.
; RUN: %opt -passes=heatmap -heatmap-config=%S/Inputs/all.yaml -S %s | %FileCheck %s

source_filename = "entry_exit.c"

; The runtime's recording flag, declared once.
; CHECK: @__heatmap_recording_v3 = external global i32, align 4
; CHECK-NOT: @__heatmap_recording_v3 =
; CHECK: @__heatmap.name = private unnamed_addr constant [10 x i8] c"two_exits\00"
; CHECK: @__heatmap.file = private unnamed_addr constant [13 x i8] c"entry_exit.c\00"
; Without debug info the line is 0; the id slot is 0 for the runtime to fill.
; CHECK: @__heatmap.rec.two_exits = internal global { {{i8\*|ptr}}, {{i8\*|ptr}}, i32, i32, i8 } { {{.*}}@__heatmap.name{{.*}}, {{.*}}@__heatmap.file{{.*}}, i32 0, i32 0, i8 0 }, align 8
; CHECK: @__heatmap.rec.three_exits = internal global
; CHECK: @__heatmap.records = internal constant [2 x {{i8\*|ptr}}] [{{(ptr |i8\* bitcast \(.* )}}@__heatmap.rec.two_exits{{( to i8\*\))?}}, {{(ptr |i8\* bitcast \(.* )}}@__heatmap.rec.three_exits{{( to i8\*\))?}}]
; CHECK: @__heatmap.table = internal global { i32, i32, {{i8\*|ptr}} } { i32 3, i32 2, {{(ptr |i8\* bitcast \(.* )}}@__heatmap.records{{( to i8\*\))?}} }
; CHECK: @llvm.global_ctors = appending global [1 x { i32, {{void \(\)\*|ptr}}, {{i8\*|ptr}} }] [{ i32, {{void \(\)\*|ptr}}, {{i8\*|ptr}} } { i32 1, {{void \(\)\*|ptr}} @heatmap.module_ctor, {{i8\*|ptr}} null }]
; CHECK: @__heatmap_instrumented_module = private constant i8 1
; CHECK: @llvm.compiler.used = appending global [1 x {{i8\*|ptr}}] [{{i8\*|ptr}} @__heatmap_instrumented_module], section "llvm.metadata"

define i32 @two_exits(i32 %x) {
; The enter call, guarded by the record's state byte (abi.h): a relaxed atomic load and a compare
; with count-only (a branch that says "likely taken"), then with timed (else the record is off);
; the call in a block of its own.
; CHECK-LABEL: define i32 @two_exits(
; CHECK-NEXT: entry:
; CHECK-NEXT: %heatmap.state = load atomic i8, {{.*}}@__heatmap.rec.two_exits{{.*}} monotonic, align 8, !nosanitize
; CHECK-NEXT: %heatmap.counted = icmp eq i8 %heatmap.state, 1
; CHECK-NEXT: br i1 %heatmap.counted, label %heatmap.count, label %heatmap.check, !prof [[LIKELY:![0-9]+]]
; CHECK-EMPTY:
; CHECK-NEXT: heatmap.check:
; CHECK-NEXT: %heatmap.timed.now = icmp eq i8 %heatmap.state, 0
; CHECK-NEXT: br i1 %heatmap.timed.now, label %heatmap.enter, label %heatmap.body
; CHECK-EMPTY:
; CHECK-NEXT: heatmap.count:
; CHECK-NEXT: %heatmap.counts = load {{i64\*|ptr}}, {{i64\*\*|ptr}} @__heatmap_counts_v3, align 8
; CHECK-NEXT: %heatmap.ready = icmp ne {{i64\*|ptr}} %heatmap.counts, null
; CHECK-NEXT: br i1 %heatmap.ready, label %heatmap.count.add, label %heatmap.count.new, !prof [[LIKELY]]
; CHECK-EMPTY:
; CHECK-NEXT: heatmap.enter:
; CHECK-NEXT: call void @__heatmap_enter_v3({{(ptr |i8\* bitcast \(.* )}}@__heatmap.rec.two_exits{{( to i8\*\))?}}) [[NOUNWIND:#[0-9]+]]
; CHECK-NEXT: br label %heatmap.body
; CHECK-EMPTY:
; CHECK-NEXT: heatmap.count.add:
; CHECK-NEXT: %heatmap.id = load atomic i32, {{.*}}@__heatmap.rec.two_exits{{.*}} monotonic, align 4, !nosanitize
; CHECK-NEXT: %heatmap.index = zext i32 %heatmap.id to i64
; CHECK-NEXT: %heatmap.slot = getelementptr i64, {{i64\*|ptr}} %heatmap.counts, i64 %heatmap.index
; CHECK-NEXT: %heatmap.calls = load i64, {{i64\*|ptr}} %heatmap.slot, align 8, !nosanitize
; CHECK-NEXT: %heatmap.calls.next = add i64 %heatmap.calls, 1
; CHECK-NEXT: store i64 %heatmap.calls.next, {{i64\*|ptr}} %heatmap.slot, align 8, !nosanitize
; CHECK-NEXT: br label %heatmap.body
; CHECK-EMPTY:
; CHECK-NEXT: heatmap.count.new:
; CHECK-NEXT: call void @__heatmap_count_v3({{.*}}@__heatmap.rec.two_exits{{.*}}) [[NOUNWIND]]
; CHECK-NEXT: br label %heatmap.body
; CHECK-EMPTY:
; CHECK-NEXT: heatmap.body:
; CHECK-NEXT: %heatmap.timed = phi i1 [ false, %{{[-a-z.0-9]+}} ], [ true, %heatmap.enter ], [ false, %heatmap.count.add ], [ false, %heatmap.count.new ]
; CHECK-NEXT: %c = icmp sgt i32 %x, 0
entry:
  %c = icmp sgt i32 %x, 0
  br i1 %c, label %pos, label %neg
; Each exit call gets its own guard, right before the `ret`.
; CHECK: pos:
; CHECK-NEXT: br i1 %heatmap.timed, label %[[X1:heatmap.exit[0-9]*]], label %[[RET1:heatmap.ret[0-9]*]], !prof [[LIKELY]]
; CHECK-EMPTY:
; CHECK-NEXT: [[X1]]:
; CHECK-NEXT: call void @__heatmap_exit_v3({{(ptr |i8\* bitcast \(.* )}}@__heatmap.rec.two_exits{{( to i8\*\))?}}) [[NOUNWIND]]
; CHECK-NEXT: br label %[[RET1]]
; CHECK-EMPTY:
; CHECK-NEXT: [[RET1]]:
; CHECK-NEXT: ret i32 1
pos:
  ret i32 1
; CHECK: neg:
; CHECK-NEXT: %y = sub i32 0, %x
; CHECK-NEXT: br i1 %heatmap.timed, label %[[X2:heatmap.exit[0-9]*]], label %[[RET2:heatmap.ret[0-9]*]], !prof [[LIKELY]]
; CHECK-EMPTY:
; CHECK-NEXT: [[X2]]:
; CHECK-NEXT: call void @__heatmap_exit_v3({{(ptr |i8\* bitcast \(.* )}}@__heatmap.rec.two_exits{{( to i8\*\))?}}) [[NOUNWIND]]
; CHECK-NEXT: br label %[[RET2]]
; CHECK-EMPTY:
; CHECK-NEXT: [[RET2]]:
; CHECK-NEXT: ret i32 %y
neg:
  %y = sub i32 0, %x
  ret i32 %y
}

; Three returns, one of them in a loop exit, and an `unreachable` that gets nothing. The PHI that
; named the entry block names the block after the guard.
define void @three_exits(i32 %n) {
; CHECK-LABEL: define void @three_exits(
; CHECK-NEXT: entry:
; CHECK-NEXT: %heatmap.state = load atomic i8
; CHECK: heatmap.enter:
; CHECK-NEXT: call void @__heatmap_enter_v3(
; CHECK: heatmap.body:
; CHECK-NEXT: %heatmap.timed = phi i1 [ false, %{{[-a-z.0-9]+}} ], [ true, %heatmap.enter ], [ false, %heatmap.count.add ], [ false, %heatmap.count.new ]
; CHECK-NEXT: switch i32 %n
entry:
  switch i32 %n, label %loop [ i32 0, label %a
                               i32 1, label %b
                               i32 2, label %dead ]
a:
  ret void
b:
  ret void
dead:
  unreachable
loop:
  %i = phi i32 [ 0, %entry ], [ %i1, %loop ]
  %i1 = add i32 %i, 1
  %done = icmp eq i32 %i1, %n
  br i1 %done, label %out, label %loop
out:
  ret void
; CHECK: a:
; CHECK-NEXT: br i1 %heatmap.timed
; CHECK: heatmap.exit{{[0-9]*}}:
; CHECK-NEXT: call void @__heatmap_exit_v3(
; CHECK: heatmap.ret{{[0-9]*}}:
; CHECK-NEXT: ret void
; CHECK: b:
; CHECK-NEXT: br i1 %heatmap.timed
; CHECK: heatmap.exit{{[0-9]*}}:
; CHECK-NEXT: call void @__heatmap_exit_v3(
; CHECK: heatmap.ret{{[0-9]*}}:
; CHECK-NEXT: ret void
; CHECK: dead:
; CHECK-NEXT: unreachable
; CHECK: loop:
; CHECK-NEXT: %i = phi i32 [ 0, %heatmap.body ], [ %i1, %loop ]
; CHECK: out:
; CHECK-NEXT: br i1 %heatmap.timed
; CHECK: heatmap.exit{{[0-9]*}}:
; CHECK-NEXT: call void @__heatmap_exit_v3(
; CHECK: heatmap.ret{{[0-9]*}}:
; CHECK-NEXT: ret void
}

; CHECK: declare void @__heatmap_enter_v3({{i8\*|ptr}}) [[NOUNWIND]]
; CHECK: declare void @__heatmap_exit_v3({{i8\*|ptr}}) [[NOUNWIND]]
; Registration is not guarded: it always happens (and is what starts the runtime).
; CHECK: define internal void @heatmap.module_ctor() [[NOUNWIND]]
; CHECK-NEXT: entry:
; CHECK-NEXT: call void @__heatmap_register_v3({{(ptr |i8\* bitcast \(.* )}}@__heatmap.table{{( to i8\*\))?}})
; CHECK-NEXT: ret void
; CHECK: attributes [[NOUNWIND]] = { nounwind }
; CHECK: [[LIKELY]] = !{!"branch_weights", i32 2000, i32 1}
