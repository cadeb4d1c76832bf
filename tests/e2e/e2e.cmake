# End-to-end tests: install to a prefix inside the build tree (fixture), then compile the examples
# with the installed plugin through pkg-config, run them and check their results.

# hm_e2e_requires(VAR WHAT TOOL...): VAR (in the caller) is true when the plugin is built and every
# TOOL is found (as HM_<TOOL>, upper case); else false, and a missing TOOL says that WHAT's
# end-to-end tests are skipped. The suites in the other tests/e2e/*.cmake files start with it.
function(hm_e2e_requires var what)
  set(${var} FALSE PARENT_SCOPE)
  if(NOT HEATMAP_BUILD_PLUGIN)
    return()
  endif()
  foreach(tool ${ARGN})
    string(TOUPPER ${tool} name)
    find_program(HM_${name} ${tool})
    if(NOT HM_${name})
      message(STATUS "${tool} not found: ${what}'s end-to-end tests are skipped")
      return()
    endif()
  endforeach()
  set(${var} TRUE PARENT_SCOPE)
endfunction()

if(NOT HEATMAP_BUILD_PLUGIN)
  return()
endif()
find_program(HM_PKG_CONFIG_EXE pkg-config REQUIRED)
pkg_check_modules(JANSSON_E2E REQUIRED IMPORTED_TARGET jansson)

add_executable(check_results ${CMAKE_CURRENT_LIST_DIR}/check_results.c)
target_link_libraries(check_results PRIVATE PkgConfig::JANSSON_E2E)
hm_target_defaults(check_results)

set(HM_E2E_PREFIX ${CMAKE_BINARY_DIR}/e2e-prefix)
add_test(NAME e2e_install
         COMMAND ${CMAKE_COMMAND} --install ${CMAKE_BINARY_DIR} --prefix ${HM_E2E_PREFIX})
set_tests_properties(e2e_install PROPERTIES FIXTURES_SETUP e2e_prefix LABELS e2e)

# name | example | compiler flags
set(HM_E2E_CASES
    "callgraph_O0|callgraph|-O0"
    "callgraph_O2|callgraph|-O2"
    "callgraph_O2_g|callgraph|-O2 -g"
    "callgraph_asan|callgraph|-O1 -g -fsanitize=address,undefined"
    "threads_O2|threads|-O2 -pthread")
if(HEATMAP_TSAN)
  list(APPEND HM_E2E_CASES "threads_tsan|threads|-O1 -g -pthread -fsanitize=thread")
endif()
foreach(case ${HM_E2E_CASES})
  string(REPLACE "|" ";" parts "${case}")
  list(GET parts 0 name)
  list(GET parts 1 example)
  list(GET parts 2 flags)
  separate_arguments(flags)
  add_test(NAME e2e_${name}
           COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/run_example.sh ${HM_E2E_PREFIX}
                   ${CMAKE_INSTALL_LIBDIR} ${HEATMAP_CLANG} $<TARGET_FILE:check_results>
                   ${PROJECT_SOURCE_DIR} ${CMAKE_CURRENT_BINARY_DIR}/e2e/${name} ${example}
                   ${flags})
  set_tests_properties(e2e_${name} PROPERTIES FIXTURES_REQUIRED e2e_prefix LABELS e2e)
endforeach()

# hm_e2e_modes(SUITE [CHECKER] MODES MODE...): one test e2e_SUITE_MODE per mode, after the install
# fixture, running tests/e2e/SUITE/SUITE.sh PREFIX LIBDIR CLANG [CHECK_RESULTS] SOURCE_DIR WORKDIR
# MODE (CHECK_RESULTS with CHECKER: the scripts that check with check_results, not python3).
function(hm_e2e_modes suite)
  cmake_parse_arguments(ARG "CHECKER" "" "MODES" ${ARGN})
  set(checker)
  if(ARG_CHECKER)
    set(checker $<TARGET_FILE:check_results>)
  endif()
  foreach(mode ${ARG_MODES})
    add_test(NAME e2e_${suite}_${mode}
             COMMAND sh ${HM_E2E_DIR}/${suite}/${suite}.sh ${HM_E2E_PREFIX} ${CMAKE_INSTALL_LIBDIR}
                     ${HEATMAP_CLANG} ${checker} ${PROJECT_SOURCE_DIR}
                     ${CMAKE_CURRENT_BINARY_DIR}/e2e/${suite}_${mode} ${mode})
    set_tests_properties(e2e_${suite}_${mode} PROPERTIES FIXTURES_REQUIRED e2e_prefix LABELS e2e)
  endforeach()
endfunction()
set(HM_E2E_DIR ${CMAKE_CURRENT_LIST_DIR})

# The runtime under the ways programs end and unwind (tests/e2e/robust).
hm_e2e_modes(robust CHECKER MODES fork longjmp deep signals exitsig mainexit sigterm ends atomic
             exit3 unwritable throttle pipeline inplace
             registers lazybind)

# Threads x fork x signals x longjmp at once (tests/e2e/stress).
add_test(NAME e2e_stress
         COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/stress/stress.sh ${HM_E2E_PREFIX}
                 ${CMAKE_INSTALL_LIBDIR} ${HEATMAP_CLANG} $<TARGET_FILE:check_results>
                 ${PROJECT_SOURCE_DIR} ${CMAKE_CURRENT_BINARY_DIR}/e2e/stress
                 $<TARGET_FILE:heatmap-view>)
set_tests_properties(e2e_stress PROPERTIES FIXTURES_REQUIRED e2e_prefix LABELS e2e TIMEOUT 60)

# The CPU / wait split: waits interposed, open frames (tests/e2e/waits; checks in python3).
find_package(Python3 COMPONENTS Interpreter)
if(Python3_Interpreter_FOUND)
  # Thread-per-request programs: the set-up is the runtime's, threads beyond the limit fold.
  add_test(NAME e2e_setup
           COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/setup/setup.sh ${HM_E2E_PREFIX}
                   ${CMAKE_INSTALL_LIBDIR} ${HEATMAP_CLANG} ${PROJECT_SOURCE_DIR}
                   ${CMAKE_CURRENT_BINARY_DIR}/e2e/setup $<TARGET_FILE:heatmap-view>)
  set_tests_properties(e2e_setup PROPERTIES FIXTURES_REQUIRED e2e_prefix LABELS e2e)
  hm_e2e_modes(waits MODES sleep join mutex poll cpu4 errno pool)
endif()
