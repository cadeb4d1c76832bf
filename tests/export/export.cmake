# Tests of the call-path and trace loaders, the exports and the callers/callees data
# (label: export).
# Unit tests run on the fixtures of gen_fixtures.py; the script tests read the exports back with
# their real consumers where installed (go tool pprof, xmllint) and check totals and stacks.
set(HM_EXPORT_TESTS ${CMAKE_CURRENT_LIST_DIR})

hm_add_unit_test(test_paths SOURCES ${HM_EXPORT_TESTS}/test_paths.c LIBS hm_results)
target_compile_definitions(test_paths PRIVATE HM_FIXTURES="${HM_EXPORT_TESTS}/fixtures")
set_tests_properties(test_paths PROPERTIES LABELS "unit;export")

hm_add_unit_test(test_trace SOURCES ${HM_EXPORT_TESTS}/test_trace.c LIBS hm_results)
target_compile_definitions(test_trace PRIVATE HM_FIXTURES="${HM_EXPORT_TESTS}/fixtures")
set_tests_properties(test_trace PROPERTIES LABELS "unit;export")

hm_add_unit_test(test_profile SOURCES ${HM_EXPORT_TESTS}/test_profile.c LIBS hm_results)
set_tests_properties(test_profile PROPERTIES LABELS "unit;export")

if(NOT TARGET hm_export)
  return()
endif()
hm_add_unit_test(test_exports SOURCES ${HM_EXPORT_TESTS}/test_exports.c LIBS hm_export
                                                                       hm_viewer_core)
target_compile_definitions(test_exports PRIVATE HM_FIXTURES="${HM_EXPORT_TESTS}/fixtures")
set_tests_properties(test_exports PROPERTIES LABELS "unit;export")

hm_add_unit_test(test_server SOURCES ${HM_EXPORT_TESTS}/test_server.c LIBS hm_export)
target_compile_definitions(test_server PRIVATE HM_FIXTURES="${HM_EXPORT_TESTS}/fixtures")
set_tests_properties(test_server PROPERTIES LABELS "unit;export")

# Script tests: each export of each fixture set, read back and compared with the results files.
find_program(HM_PYTHON3 python3)
if(NOT HM_PYTHON3 OR NOT TARGET heatmap-view)
  return()
endif()
# name | files (relative to fixtures/)
set(HM_EXPORT_SETS "callgraph|callgraph.json" "merged|threads.json threads2.json"
                   "limit|folded.json")
foreach(set ${HM_EXPORT_SETS})
  string(REPLACE "|" ";" parts "${set}")
  list(GET parts 0 name)
  list(GET parts 1 files)
  separate_arguments(files)
  set(kinds folded svg pprof)
  if(NOT name STREQUAL "limit") # that fixture has no trace file
    list(APPEND kinds chrome)
  endif()
  foreach(kind ${kinds})
    add_test(NAME export_${kind}_${name}
             COMMAND ${HM_PYTHON3} ${HM_EXPORT_TESTS}/check_exports.py ${kind}
                     $<TARGET_FILE:heatmap-view> ${CMAKE_CURRENT_BINARY_DIR}/export/${kind}_${name}
                     ${files}
             WORKING_DIRECTORY ${HM_EXPORT_TESTS}/fixtures)
    set_tests_properties(export_${kind}_${name} PROPERTIES LABELS export SKIP_RETURN_CODE 77)
  endforeach()
endforeach()

# pprof --type=cpu: a real program's pcs (cpu/cpu_prog.c, -g -O0, not sanitized: its addresses
# and return addresses are the fixture) symbolized with libdw and read back by go tool pprof.
add_executable(hm_cpu_prog ${HM_EXPORT_TESTS}/cpu/cpu_prog.c)
target_compile_options(hm_cpu_prog PRIVATE -g -O0 -fno-omit-frame-pointer)
add_test(NAME export_pprof_cpu
         COMMAND ${HM_PYTHON3} ${HM_EXPORT_TESTS}/cpu/check_cpu.py $<TARGET_FILE:hm_cpu_prog>
                 ${HM_EXPORT_TESTS}/cpu/cpu_prog.c $<TARGET_FILE:heatmap-view>
                 ${CMAKE_CURRENT_BINARY_DIR}/export/pprof_cpu)
set_tests_properties(export_pprof_cpu PROPERTIES LABELS export SKIP_RETURN_CODE 77)

# pprof --type=block and --type=mutex: contentions and delay per stack, from 11-element nodes
# (waits.json) and none from 6-element ones (callgraph.json).
foreach(set "waits|waits.json" "nowaits|callgraph.json")
  string(REPLACE "|" ";" parts "${set}")
  list(GET parts 0 name)
  list(GET parts 1 file)
  add_test(NAME export_pprof_${name}
           COMMAND ${HM_PYTHON3} ${HM_EXPORT_TESTS}/check_waits.py $<TARGET_FILE:heatmap-view>
                   ${CMAKE_CURRENT_BINARY_DIR}/export/pprof_${name} ${file}
           WORKING_DIRECTORY ${HM_EXPORT_TESTS}/fixtures)
  set_tests_properties(export_pprof_${name} PROPERTIES LABELS export SKIP_RETURN_CODE 77)
endforeach()

add_test(NAME export_cli COMMAND sh ${HM_EXPORT_TESTS}/cli.sh $<TARGET_FILE:heatmap-view>
                                 ${CMAKE_CURRENT_BINARY_DIR}/export/cli
         WORKING_DIRECTORY ${HM_EXPORT_TESTS}/fixtures)
set_tests_properties(export_cli PROPERTIES LABELS export)

# End-to-end: programs compiled with the installed plugin (the e2e_prefix fixture of
# tests/e2e/e2e.cmake installs it), their trees checked exactly and their exports read back.
if(NOT HEATMAP_BUILD_PLUGIN OR NOT TEST e2e_install)
  return()
endif()
foreach(case callgraph limit threads shapes)
  add_test(NAME export_e2e_${case}
           COMMAND sh ${HM_EXPORT_TESTS}/e2e/run_e2e.sh ${HM_E2E_PREFIX} ${CMAKE_INSTALL_LIBDIR}
                   ${HEATMAP_CLANG} $<TARGET_FILE:heatmap-view> ${PROJECT_SOURCE_DIR}
                   ${CMAKE_CURRENT_BINARY_DIR}/export/e2e_${case} ${case})
  set_tests_properties(export_e2e_${case} PROPERTIES FIXTURES_REQUIRED e2e_prefix LABELS export)
endforeach()

# libheatmap-export.so.1 as installed (beside libheatmap-rt), through dlopen as the runtime calls
# it. Not sanitized: the library is not, and it is what user programs load.
add_executable(test_export_lib ${HM_EXPORT_TESTS}/test_export_lib.c)
target_include_directories(test_export_lib PRIVATE ${PROJECT_SOURCE_DIR}/include)
target_link_libraries(test_export_lib PRIVATE ${CMAKE_DL_LIBS})
hm_target_defaults(test_export_lib)
add_test(NAME export_library
         COMMAND sh -c "rm -rf \"$2\" && mkdir -p \"$2\" && \"$0\" \"$1/libheatmap-export.so.1\" \"$3\" \"$2\""
                 $<TARGET_FILE:test_export_lib> ${HM_E2E_PREFIX}/${CMAKE_INSTALL_LIBDIR}
                 ${CMAKE_CURRENT_BINARY_DIR}/export/library ${HM_EXPORT_TESTS}/fixtures/waits.json)
set_tests_properties(export_library PROPERTIES FIXTURES_REQUIRED e2e_prefix LABELS export)
