; The file a function's record carries is the debug info's file name, normalised lexically as
; docs/config.md says: "lib//common/./x.c" is recorded as "lib/common/x.c" (and "./" dropped).
; RUN: %opt -passes=heatmap -heatmap-config=%S/Inputs/all.yaml -S %s -o %t.ll
; RUN: %FileCheck %s < %t.ll

source_filename = "lib//common/./x.c"

; CHECK: @__heatmap.file{{.*}} = private unnamed_addr constant [15 x i8] c"lib/common/x.c\00"
; CHECK-NOT: c"lib//common

define i32 @work(i32 %x) !dbg !4 {
entry:
  %y = add i32 %x, 1, !dbg !8
  ret i32 %y, !dbg !8
}

!llvm.dbg.cu = !{!0}
!llvm.module.flags = !{!2, !3}

!0 = distinct !DICompileUnit(language: DW_LANG_C99, file: !1, producer: "clang", isOptimized: false, runtimeVersion: 0, emissionKind: LineTablesOnly)
!1 = !DIFile(filename: "lib//common/./x.c", directory: "/src")
!2 = !{i32 2, !"Debug Info Version", i32 3}
!3 = !{i32 7, !"Dwarf Version", i32 5}
!4 = distinct !DISubprogram(name: "work", scope: !1, file: !1, line: 2, type: !5, scopeLine: 2, spFlags: DISPFlagDefinition, unit: !0)
!5 = !DISubroutineType(types: !6)
!6 = !{null}
!8 = !DILocation(line: 3, column: 1, scope: !4)
