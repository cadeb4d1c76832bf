; The guard around the enter call (the record's state byte: count-only, timed, or off, abi.h)
; splits the entry block after its allocas, so they stay static allocas of the entry block (SROA
; and mem2reg, which run after the pass at -O1 and above, only look there); a fixed-size alloca
; further down the entry block is moved up with them, a dynamic one stays where it is. The new
; instructions carry the debug location of the function's scope line, and a declaration of the
; recording flag (which guards landing calls) that the module already has is reused.
; RUN: %opt -passes=heatmap -heatmap-config=%S/Inputs/all.yaml -S %s -o %t.ll
; RUN: %FileCheck %s < %t.ll
; RUN: %opt -passes=verify -S %t.ll -o /dev/null
; RUN: %opt -passes=sroa -S %t.ll | %FileCheck --check-prefix=SROA %s

source_filename = "guard.c"

@__heatmap_recording_v3 = external global i32

declare void @use(i32*)
declare void @llvm.dbg.declare(metadata, metadata, metadata)

; CHECK-COUNT-1: @__heatmap_recording_v3 = external global i32
; CHECK-NOT: @__heatmap_recording_v3{{.*}} = external

define i32 @locals(i32 %x) nounwind !dbg !4 {
; CHECK: define i32 @locals(i32 %x) #{{[0-9]+}} !dbg [[SP:![0-9]+]] {
; CHECK-NEXT: entry:
; CHECK-NEXT: %x.addr = alloca i32
; CHECK-NEXT: %y = alloca i32
; CHECK-NOT: {{^[-a-z.0-9]+:}}
; CHECK: %late = alloca i32
; CHECK-NEXT: %heatmap.state = load atomic i8, {{.*}}@__heatmap.rec.locals{{.*}} monotonic, align 8, !dbg [[LOC:![0-9]+]], !nosanitize
; CHECK-NEXT: %heatmap.counted = icmp eq i8 %heatmap.state, 1, !dbg [[LOC]]
; CHECK-NEXT: br i1 %heatmap.counted, label %heatmap.count, label %heatmap.check, !dbg [[LOC]], !prof [[LIKELY:![0-9]+]]
; CHECK-EMPTY:
; CHECK-NEXT: heatmap.check:
; CHECK-NEXT: %heatmap.timed.now = icmp eq i8 %heatmap.state, 0, !dbg [[LOC]]
; CHECK-NEXT: br i1 %heatmap.timed.now, label %heatmap.enter, label %heatmap.body, !dbg [[LOC]]
; CHECK-EMPTY:
; CHECK-NEXT: heatmap.count:
; CHECK-NEXT: %heatmap.counts = load {{i64\*|ptr}}, {{i64\*\*|ptr}} @__heatmap_counts_v3, align 8, !dbg [[LOC]]
; CHECK-NEXT: %heatmap.ready = icmp ne {{i64\*|ptr}} %heatmap.counts, null, !dbg [[LOC]]
; CHECK-NEXT: br i1 %heatmap.ready, label %heatmap.count.add, label %heatmap.count.new, !dbg [[LOC]], !prof [[LIKELY]]
; CHECK-EMPTY:
; CHECK-NEXT: heatmap.enter:
; CHECK-NEXT: call void @__heatmap_enter_v3({{.*}}@__heatmap.rec.locals{{.*}}, !dbg [[LOC]]
; CHECK-NEXT: br label %heatmap.body, !dbg [[LOC]]
; CHECK-EMPTY:
; CHECK-NEXT: heatmap.count.add:
; CHECK-NEXT: %heatmap.id = load atomic i32, {{.*}}@__heatmap.rec.locals{{.*}} monotonic, align 4, !dbg [[LOC]], !nosanitize
; CHECK-NEXT: %heatmap.index = zext i32 %heatmap.id to i64, !dbg [[LOC]]
; CHECK-NEXT: %heatmap.slot = getelementptr i64, {{i64\*|ptr}} %heatmap.counts, i64 %heatmap.index, !dbg [[LOC]]
; CHECK-NEXT: %heatmap.calls = load i64, {{i64\*|ptr}} %heatmap.slot, align 8, !dbg [[LOC]], !nosanitize
; CHECK-NEXT: %heatmap.calls.next = add i64 %heatmap.calls, 1, !dbg [[LOC]]
; CHECK-NEXT: store i64 %heatmap.calls.next, {{i64\*|ptr}} %heatmap.slot, align 8, !dbg [[LOC]], !nosanitize
; CHECK-NEXT: br label %heatmap.body, !dbg [[LOC]]
; CHECK-EMPTY:
; CHECK-NEXT: heatmap.count.new:
; CHECK-NEXT: call void @__heatmap_count_v3({{.*}}@__heatmap.rec.locals{{.*}}, !dbg [[LOC]]
; CHECK-NEXT: br label %heatmap.body, !dbg [[LOC]]
; CHECK-EMPTY:
; CHECK-NEXT: heatmap.body:
; CHECK-NEXT: %heatmap.timed = phi i1 [ false, %heatmap.check ], [ true, %heatmap.enter ], [ false, %heatmap.count.add ], [ false, %heatmap.count.new ]
; CHECK-NOT: alloca i32, align
; CHECK: store i32 %x, {{i32\*|ptr}} %x.addr
; CHECK-NEXT: %n = zext i32 %x to i64
; CHECK-NEXT: %vla = alloca i32, i64 %n
; CHECK-NEXT: store i32 1, {{i32\*|ptr}} %late
; CHECK-NEXT: call void @use({{i32\*|ptr}} %vla), !dbg [[USE:![0-9]+]]
; CHECK-NEXT: %v = load i32, {{i32\*|ptr}} %x.addr, align 4, !dbg [[USE]]
; CHECK-NEXT: br i1 %heatmap.timed, label %heatmap.exit, label %heatmap.ret, !dbg [[LOC]], !prof [[LIKELY]]
; CHECK-EMPTY:
; CHECK-NEXT: heatmap.exit:
; CHECK-NEXT: call void @__heatmap_exit_v3({{.*}}@__heatmap.rec.locals{{.*}}, !dbg [[LOC]]
; CHECK-NEXT: br label %heatmap.ret, !dbg [[LOC]]
; CHECK-EMPTY:
; CHECK-NEXT: heatmap.ret:
; CHECK-NEXT: ret i32 %v, !dbg [[USE]]
entry:
  %x.addr = alloca i32, align 4
  %y = alloca i32, align 4
  call void @llvm.dbg.declare(metadata i32* %x.addr, metadata !8, metadata !DIExpression()), !dbg !9
  store i32 %x, i32* %x.addr, align 4
  %late = alloca i32, align 4
  %n = zext i32 %x to i64
  %vla = alloca i32, i64 %n
  store i32 1, i32* %late
  call void @use(i32* %vla), !dbg !10
  %v = load i32, i32* %x.addr, align 4, !dbg !10
  ret i32 %v, !dbg !10
}

; A function that reads the flag itself (as code including heatmap/abi.h may).
define i32 @reads_flag() nounwind {
  %f = load i32, i32* @__heatmap_recording_v3
  call void @use(i32* null)
  ret i32 %f
}

; The module constructor's register call is never guarded.
; CHECK-LABEL: define internal void @heatmap.module_ctor()
; CHECK-NEXT: entry:
; CHECK-NEXT: call void @__heatmap_register_v3(
; CHECK-NOT: !dbg
; CHECK-NEXT: ret void
; CHECK-DAG: [[LIKELY]] = !{!"branch_weights", i32 2000, i32 1}
; CHECK-DAG: [[LOC]] = !DILocation(line: 3, scope: [[SP]])
; CHECK-DAG: [[USE]] = !DILocation(line: 5, column: 3, scope: [[SP]])

; The allocas were still static allocas of the entry block: SROA promoted or removed them all,
; except the dynamic one.
; SROA-LABEL: define i32 @locals(
; SROA-NOT: %x.addr = alloca
; SROA-NOT: %y = alloca
; SROA-NOT: %late = alloca
; SROA: %vla = alloca i32, i64 %n
; SROA-NOT: alloca
; SROA: ret i32 %x

!llvm.dbg.cu = !{!0}
!llvm.module.flags = !{!3}
!0 = distinct !DICompileUnit(language: DW_LANG_C99, file: !1, emissionKind: FullDebug)
!1 = !DIFile(filename: "guard.c", directory: "/src")
!3 = !{i32 2, !"Debug Info Version", i32 3}
!4 = distinct !DISubprogram(name: "locals", scope: !1, file: !1, line: 2, type: !5, scopeLine: 3, spFlags: DISPFlagDefinition, unit: !0, retainedNodes: !7)
!5 = !DISubroutineType(types: !6)
!6 = !{null}
!7 = !{}
!8 = !DILocalVariable(name: "x", arg: 1, scope: !4, file: !1, line: 2, type: !11)
!9 = !DILocation(line: 2, column: 14, scope: !4)
!10 = !DILocation(line: 5, column: 3, scope: !4)
!11 = !DIBasicType(name: "int", size: 32, encoding: DW_ATE_signed)
