; Selection by heatmap.yaml: functions.exclude and files.exclude leave functions out, and the
; report names the rule and where it is written. A broken heatmap.yaml is a compile error with
; its position, not a crash.
; RUN: %opt -passes=heatmap -heatmap-config=%S/Inputs/exclude.yaml -heatmap-report=%t.jsonl -S %s \
; RUN:   | %FileCheck %s
; RUN: %FileCheck --check-prefix=REPORT %s < %t.jsonl
; The environment variable is used when no flag is given, and the flag wins over it.
; RUN: HEATMAP_CONFIG=%S/Inputs/exclude.yaml %opt -passes=heatmap -S %s | %FileCheck %s
; RUN: HEATMAP_CONFIG=%S/Inputs/broken.yaml %opt -passes=heatmap \
; RUN:   -heatmap-config=%S/Inputs/exclude.yaml -S %s | %FileCheck %s
; RUN: not %opt -passes=heatmap -heatmap-config=%S/Inputs/broken.yaml -S %s -o %t.ll 2> %t.err
; RUN: %FileCheck --check-prefix=ERR %s < %t.err

source_filename = "config_exclude.c"

declare void @work()

define void @keep_me() !dbg !4 {
  call void @work(), !dbg !8
  ret void, !dbg !8
}
define void @skip_me() {
  call void @work()
  ret void
}
define void @from_vendor() !dbg !6 {
  call void @work(), !dbg !9
  ret void, !dbg !9
}

; CHECK: @__heatmap.rec.keep_me = internal global
; CHECK-NOT: @__heatmap.rec.skip_me
; CHECK-NOT: @__heatmap.rec.from_vendor
; CHECK-LABEL: define void @keep_me()
; CHECK-NEXT: %heatmap.state = load atomic i8, {{.*}}@__heatmap.rec.
; CHECK: call void @__heatmap_enter_v3(
; CHECK-LABEL: define void @skip_me()
; CHECK-NEXT: call void @work()
; CHECK-LABEL: define void @from_vendor()
; CHECK-NEXT: call void @work()

; REPORT-DAG: "function":"keep_me",{{.*}}"instrumented":true,"reason":"included"}
; REPORT-DAG: "function":"skip_me",{{.*}}"instrumented":false,"reason":"excluded by functions.exclude 'skip_*' ({{.*}}Inputs/exclude.yaml:3)"}
; REPORT-DAG: "function":"from_vendor","symbol":"from_vendor","file":"lib/vendor/v.c","line":7,"instrumented":false,"reason":"excluded by files.exclude '**/vendor/**' ({{.*}}Inputs/exclude.yaml:5)"}

; ERR: {{.*}}broken.yaml:2:13: error: {{.+}}
; ERR: error: heatmap: invalid configuration (see the message above)
; ERR-NOT: Stack dump
; ERR-NOT: PLEASE submit a bug report

!llvm.dbg.cu = !{!0}
!llvm.module.flags = !{!3}
!0 = distinct !DICompileUnit(language: DW_LANG_C99, file: !1, emissionKind: FullDebug)
!1 = !DIFile(filename: "config_exclude.c", directory: "/src/proj")
!2 = !DIFile(filename: "lib/vendor/v.c", directory: "/src/proj")
!3 = !{i32 2, !"Debug Info Version", i32 3}
!4 = distinct !DISubprogram(name: "keep_me", scope: !1, file: !1, line: 3, type: !5, scopeLine: 3, spFlags: DISPFlagDefinition, unit: !0)
!5 = !DISubroutineType(types: !{null})
!6 = distinct !DISubprogram(name: "from_vendor", scope: !2, file: !2, line: 7, type: !5, scopeLine: 7, spFlags: DISPFlagDefinition, unit: !0)
!8 = !DILocation(line: 4, scope: !4)
!9 = !DILocation(line: 8, scope: !6)
