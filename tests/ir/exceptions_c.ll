; C compiled with -fexceptions: functions are not nounwind, so calls that may throw (a C++
; callback, say) become invokes to a cleanup. Without C++ symbols or another personality in the
; module the personality is __gcc_personality_v0 (libgcc's, the one C's cleanup attribute uses);
; a personality that another function of the module already has is reused, so the inliner never
; sees two different ones.
; RUN: %opt -passes=heatmap -heatmap-config=%S/Inputs/all.yaml -S %s | %FileCheck %s
; RUN: sed 's/^;EXTRA //' %s | %opt -passes=heatmap -heatmap-config=%S/Inputs/all.yaml -S \
; RUN:   | %FileCheck --check-prefix=WITH %s

source_filename = "exceptions_c.c"

declare void @callback(i32)

; CHECK-LABEL: define i32 @call_back(i32 %x) personality {{.*}}@__gcc_personality_v0{{.*}} {
; CHECK: invoke void @callback(i32 %x)
; CHECK-NEXT: to label %heatmap.cont unwind label %heatmap.cleanup
; CHECK: heatmap.cleanup:
; CHECK-NEXT: landingpad { {{i8\*|ptr}}, i32 }
; CHECK-NEXT: cleanup
; CHECK-NEXT: br i1 %heatmap.timed
; CHECK: heatmap.exit{{[0-9]*}}:
; CHECK-NEXT: call void @__heatmap_exit_v3(
; CHECK: heatmap.resume:
; CHECK-NEXT: resume
; WITH-NOT: __gcc_personality_v0
; WITH-LABEL: define i32 @call_back(i32 %x) personality {{.*}}@my_personality{{.*}} {
; WITH: invoke void @callback(i32 %x)
define i32 @call_back(i32 %x) {
  call void @callback(i32 %x)
  ret i32 %x
}

;EXTRA declare i32 @my_personality(...)
;EXTRA define void @has_one() personality i8* bitcast (i32 (...)* @my_personality to i8*) {
;EXTRA   ret void
;EXTRA }
; CHECK: declare i32 @__gcc_personality_v0(...)
