# heatmap-scan tests (label `scan`): the analysis library on the fixtures, --check findings, the
# command line, and the round trip through the plugin. The fixture compile_commands.json is
# generated here so that it holds this checkout's absolute paths and this build's clang.
if(NOT TARGET hm_scan)
  return()
endif()
pkg_check_modules(HM_SCAN_JANSSON REQUIRED IMPORTED_TARGET jansson)

set(HM_SCAN_FIXTURES ${CMAKE_CURRENT_LIST_DIR}/fixtures)
set(HM_SCAN_DB_DIR ${CMAKE_CURRENT_BINARY_DIR}/scan/db)
configure_file(${HM_SCAN_FIXTURES}/compile_commands.json.in ${HM_SCAN_DB_DIR}/compile_commands.json
               @ONLY)

# hm_add_scan_test(NAME): one cmocka test of heatmap-scan, NAME.c, with the paths it needs.
function(hm_add_scan_test name)
  hm_add_unit_test(${name} SOURCES ${CMAKE_CURRENT_LIST_DIR}/${name}.c
                   ${CMAKE_CURRENT_LIST_DIR}/scan_test_util.c
                   LIBS hm_scan hm_config PkgConfig::HM_SCAN_JANSSON)
  target_include_directories(${name} PRIVATE ${CMAKE_CURRENT_LIST_DIR})
  target_compile_definitions(${name} PRIVATE
    HM_SCAN_FIXTURES="${HM_SCAN_FIXTURES}"
    HM_SCAN_DB_DIR="${HM_SCAN_DB_DIR}"
    HM_SCAN_EXE="$<TARGET_FILE:heatmap-scan>"
    HM_CLANG="${HEATMAP_CLANG}"
    HM_CLANGXX="${HEATMAP_CLANGXX}"
    HM_PLUGIN="$<$<TARGET_EXISTS:heatmap>:$<TARGET_FILE:heatmap>>")
  set_tests_properties(${name} PROPERTIES LABELS "unit;scan")
endfunction()

hm_add_scan_test(test_scan)
hm_add_scan_test(test_scan_check)
hm_add_scan_test(test_scan_cli)
if(TARGET heatmap)
  hm_add_scan_test(test_scan_roundtrip)
endif()
