; A function without debug information in a module that has it is left out ("nodebug"): clang's
; intrinsics from its own headers (`_mm_storeu_si128`, __nodebug__ and always_inline), which the
; pass sees before inlining, are no function of the program's sources (counted, they showed at line
; 0 of the file using them). Named exactly by an include, such a function is instrumented; in a
; module without debug information every function is as before.
; RUN: %opt -passes=heatmap -heatmap-config=%S/Inputs/all.yaml -heatmap-report=%t.jsonl -S %s \
; RUN:   | %FileCheck %s
; RUN: %FileCheck --check-prefix=REPORT %s < %t.jsonl
; RUN: %opt -passes=heatmap -heatmap-config=%S/Inputs/nodebug_named.yaml -S %s \
; RUN:   | %FileCheck --check-prefix=NAMED %s
; RUN: sed -e '/^!/d' -e 's/, !dbg ![0-9]*//' -e 's/ !dbg ![0-9]* {/ {/' %s \
; RUN:   | %opt -passes=heatmap -heatmap-config=%S/Inputs/all.yaml -S | %FileCheck --check-prefix=NODI %s

source_filename = "nodebug.c"

define void @user(<2 x i64>* %p, i32 %n) !dbg !4 {
entry:
  br label %l
l:
  %i = phi i32 [ 0, %entry ], [ %j, %l ]
  call void @storeu(<2 x i64>* %p, <2 x i64> zeroinitializer)
  %j = add i32 %i, 1
  %c = icmp slt i32 %j, %n
  br i1 %c, label %l, label %out
out:
  ret void
}

; As clang emits _mm_storeu_si128 from <emmintrin.h>: no !dbg (__nodebug__), always_inline.
define internal void @storeu(<2 x i64>* %p, <2 x i64> %v) #0 {
  %a = bitcast <2 x i64>* %p to i8*
  %b = getelementptr i8, i8* %a, i64 0
  %q = bitcast i8* %b to <2 x i64>*
  store <2 x i64> %v, <2 x i64>* %q, align 1
  %w = add <2 x i64> %v, %v
  %x = xor <2 x i64> %w, %v
  %y = or <2 x i64> %x, %w
  store <2 x i64> %y, <2 x i64>* %q, align 1
  ret void
}

attributes #0 = { alwaysinline }

; CHECK-LABEL: define void @user(
; CHECK: call void @__heatmap_enter_v3(
; CHECK-LABEL: define internal void @storeu(
; CHECK-NOT: __heatmap
; CHECK: ret void
; REPORT-DAG: "function":"user",{{.*}}"instrumented":true,"reason":"included"}
; REPORT-DAG: "function":"storeu",{{.*}}"line":0,{{.*}}"instrumented":false,"reason":"nodebug"}
; NAMED-LABEL: define internal void @storeu(
; NAMED: call void @__heatmap_enter_v3(
; NODI-LABEL: define internal void @storeu(
; NODI: call void @__heatmap_enter_v3(

!llvm.dbg.cu = !{!0}
!llvm.module.flags = !{!3}
!0 = distinct !DICompileUnit(language: DW_LANG_C99, file: !1, emissionKind: LineTablesOnly)
!1 = !DIFile(filename: "nodebug.c", directory: "/src")
!3 = !{i32 2, !"Debug Info Version", i32 3}
!4 = distinct !DISubprogram(name: "user", scope: !1, file: !1, line: 2, type: !5, scopeLine: 2, spFlags: DISPFlagDefinition, unit: !0)
!5 = !DISubroutineType(types: !6)
!6 = !{}
