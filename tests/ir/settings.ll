; heatmap.yaml's runtime: section is embedded as one record in section "heatmap_settings" (abi.h,
; hm_settings_record: version 1, the text's size, "#config=PATH\n" and VARIABLE=VALUE lines in
; settings.h's order), kept by llvm.used, with a reference to __heatmap_settings_v1. Nothing is
; emitted without a runtime: section, for one that sets nothing, or for a module with no
; instrumented function; a value the runtime would refuse is a compile error at its position.
; RUN: %opt -passes=heatmap -heatmap-config=%S/Inputs/settings.yaml -S %s | %FileCheck %s
; RUN: %opt -passes=heatmap -heatmap-config=%S/Inputs/default.yaml -S %s \
; RUN:   | %FileCheck --check-prefix=NONE %s
; RUN: %opt -passes=heatmap -heatmap-config=%S/Inputs/settings_null.yaml -S %s \
; RUN:   | %FileCheck --check-prefix=NONE %s
; RUN: %opt -passes=heatmap -heatmap-config=%S/Inputs/settings_excluded.yaml -S %s \
; RUN:   | %FileCheck --check-prefix=NONE %s
; RUN: not %opt -passes=heatmap -heatmap-config=%S/Inputs/settings_bad.yaml -S %s -o %t.ll 2> %t.err
; RUN: %FileCheck --check-prefix=ERR %s < %t.err
; The object file carries the section with the record's bytes.
; RUN: HEATMAP_CONFIG=%S/Inputs/settings.yaml %clang -c -O1 -fpass-plugin=%plugin -x ir %s -o %t.o
; RUN: readelf -W -S -x heatmap_settings %t.o | %FileCheck --check-prefix=OBJ %s

source_filename = "settings.c"

declare void @work()

define void @caller() {
  call void @work()
  ret void
}

; CHECK: @__heatmap.settings = private constant { i32, i32, {{\[}}[[N:[0-9]+]] x i8] } { i32 1, i32 [[N]], {{\[}}[[N]] x i8] c"#config={{/.*}}/Inputs/settings.yaml\0AHEATMAP_OUTPUT=out.json\0AHEATMAP_SUMMARY=on\0A\00" }, section "heatmap_settings", align 4
; CHECK: @__heatmap_settings_v1 = external constant i32
; CHECK: @__heatmap.settings.abi = private constant {{i8\*|ptr}} {{(bitcast \(i32\* )?}}@__heatmap_settings_v1
; CHECK: @llvm.used = appending global [2 x {{i8\*|ptr}}] [{{.*}}@__heatmap.settings{{[ ,)].*}}@__heatmap.settings.abi{{.*}}], section "llvm.metadata"
; CHECK-LABEL: define void @caller()
; CHECK: call void @__heatmap_enter_v3(

; NONE-NOT: heatmap_settings
; NONE-NOT: __heatmap_settings_v1
; NONE-NOT: @llvm.used

; ERR: {{.*}}settings_bad.yaml:3:12: error: invalid value 'maybe' for 'runtime.summary' (HEATMAP_SUMMARY): expected on|off
; ERR-NOT: Stack dump

; OBJ: heatmap_settings PROGBITS {{.*}} A{{R?}} 0 0 4
; OBJ: Hex dump of section 'heatmap_settings':
; OBJ-NEXT: 0x00000000 01000000 {{[0-9a-f]+}} 23636f6e 6669673d {{.*}}#config=
