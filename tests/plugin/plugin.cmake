# Plugin tests (label `plugin`): real compilations with clang and the plugin.
#   plugin_shapes_*   examples/cxx_shapes at every optimisation level, with and without -g:
#                     identical output and exit status, exact counts in heatmap.json, and exact
#                     enter/exit calls (exceptions included) under strict_rt.c (run_shapes.sh)
#   plugin_errors     broken configs fail the compilation with FILE:LINE:COL: error: ... and a
#                     non-zero status, never a crash (run_errors.sh)
#   plugin_binaries   PIE and non-PIE executables, a shared library linked and one dlopen'ed
#                     (run_binaries.sh)
#   plugin_lto        -flto and -flto=thin with lld and -Wl,--load-pass-plugin (run_lto.sh)
# The end-to-end ones use the prefix that tests/e2e installs (fixture e2e_prefix) and its checker.
if(NOT TARGET heatmap OR NOT TARGET check_results OR NOT DEFINED HM_E2E_PREFIX)
  return()
endif()
set(HM_PLUGIN_WORK ${CMAKE_BINARY_DIR}/tests/plugin)

set(HM_SHAPES_FLAGS "O0|-O0" "O1|-O1" "O2|-O2" "O3|-O3" "Os|-Os" "O0_g|-O0 -g" "O1_g|-O1 -g"
                    "O2_g|-O2 -g" "O3_g|-O3 -g" "Os_g|-Os -g")
foreach(case ${HM_SHAPES_FLAGS})
  string(REPLACE "|" ";" parts "${case}")
  list(GET parts 0 name)
  list(GET parts 1 flags)
  separate_arguments(flags)
  add_test(NAME plugin_shapes_${name}
           COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/run_shapes.sh ${HM_E2E_PREFIX} ${CMAKE_INSTALL_LIBDIR}
                   ${HEATMAP_CLANG} ${HEATMAP_CLANGXX} $<TARGET_FILE:check_results>
                   ${PROJECT_SOURCE_DIR} ${HM_PLUGIN_WORK}/shapes_${name} ${flags})
  set_tests_properties(plugin_shapes_${name} PROPERTIES FIXTURES_REQUIRED e2e_prefix LABELS plugin)
endforeach()
