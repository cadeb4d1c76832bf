# Plugin tests (label `plugin`): real compilations with clang and the plugin.
#   plugin_shapes_*   examples/cxx_shapes at every optimisation level, with and without -g:
#                     identical output and exit status, exact counts in heatmap.json, and exact
#                     enter/exit calls (exceptions included) under strict_rt.c (run_shapes.sh)
#   plugin_errors     broken configs fail the compilation with FILE:LINE:COL: error: ... and a
#                     non-zero status, never a crash (run_errors.sh)
#   plugin_binaries_* PIE and non-PIE executables, a shared library linked and one dlopen'ed
#                     (run_binaries.sh)
#   plugin_shapes_lto_* cxx_shapes with -flto and -flto=thin, linked by lld (run_shapes.sh)
# The end-to-end ones use the prefix that tests/e2e installs (fixture e2e_prefix) and its checker.
if(NOT TARGET heatmap OR NOT TARGET check_results OR NOT DEFINED HM_E2E_PREFIX)
  return()
endif()
set(HM_PLUGIN_WORK ${CMAKE_BINARY_DIR}/tests/plugin)

# hm_plugin_e2e(SCRIPT "NAME|FLAGS"...): one test plugin_NAME per case, running
# tests/plugin/SCRIPT (run_shapes.sh or run_binaries.sh) with FLAGS.
function(hm_plugin_e2e script)
  foreach(case ${ARGN})
    string(REPLACE "|" ";" parts "${case}")
    list(GET parts 0 name)
    list(GET parts 1 flags)
    separate_arguments(flags)
    add_test(NAME plugin_${name}
             COMMAND sh ${CMAKE_CURRENT_FUNCTION_LIST_DIR}/${script} ${HM_E2E_PREFIX}
                     ${CMAKE_INSTALL_LIBDIR} ${HEATMAP_CLANG} ${HEATMAP_CLANGXX}
                     $<TARGET_FILE:check_results> ${PROJECT_SOURCE_DIR} ${HM_PLUGIN_WORK}/${name}
                     ${flags})
    set_tests_properties(plugin_${name} PROPERTIES FIXTURES_REQUIRED e2e_prefix LABELS plugin)
  endforeach()
endfunction()

# examples/cxx_shapes at every optimisation level, with and without -g, and with sanitizers.
hm_plugin_e2e(run_shapes.sh "shapes_O0|-O0" "shapes_O1|-O1" "shapes_O2|-O2" "shapes_O3|-O3"
              "shapes_Os|-Os" "shapes_O0_g|-O0 -g" "shapes_O1_g|-O1 -g" "shapes_O2_g|-O2 -g"
              "shapes_O3_g|-O3 -g" "shapes_Os_g|-Os -g"
              "shapes_asan|-O1 -g -fsanitize=address,undefined")

# instrument: after-inlining: no exact counts (what survives inlining varies), but every frame
# closed by its own exit call, exceptions included, and heatmap.json agreeing with strict_rt.
hm_plugin_e2e(run_shapes.sh "shapes_after_inlining_O0|--after-inlining -O0"
              "shapes_after_inlining_O2_g|--after-inlining -O2 -g")

# PIE (Debian's default) and non-PIE executables with a linked and a dlopen()ed shared library.
hm_plugin_e2e(run_binaries.sh "binaries_pie|-O2" "binaries_nopie_O0|-O0 -fno-pie -no-pie")

# -flto: the plugin instruments at compile time (the pre-link pipeline), any LTO linker links.
# The lld of the same LLVM (an older one cannot read newer bitcode; lld-N in scripts/deps.sh);
# without it these are not registered.
find_program(HM_LLD NAMES ld.lld PATHS ${LLVM_TOOLS_BINARY_DIR} NO_DEFAULT_PATH)
if(HM_LLD)
  hm_plugin_e2e(run_shapes.sh "shapes_lto_full|-O2 -flto -fuse-ld=lld --ld-path=${HM_LLD}"
                "shapes_lto_thin_g|-O2 -g -flto=thin -fuse-ld=lld --ld-path=${HM_LLD}")
  # The linker runs the pass (lld --load-pass-plugin, LLVM >= 16; lld 14 has no such option):
  # full LTO at -O0 (no compile-time inlining, so exact counts), ThinLTO after inlining.
  if(LLVM_VERSION_MAJOR GREATER_EQUAL 16)
    hm_plugin_e2e(run_shapes.sh
                  "shapes_lto_link_time_O0|--link-time -O0 -flto -fuse-ld=lld --ld-path=${HM_LLD}"
                  "shapes_lto_thin_link_time_after_inlining|--after-inlining --link-time -O2 -flto=thin -fuse-ld=lld --ld-path=${HM_LLD}")
  endif()
else()
  message(STATUS "heatmap: ld.lld not found in ${LLVM_TOOLS_BINARY_DIR}; "
                 "the -flto plugin tests are not registered")
endif()

# Broken configs are compile errors (the plugin from the build tree; no install needed).
add_test(NAME plugin_errors
         COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/run_errors.sh ${HEATMAP_CLANG} ${HEATMAP_CLANGXX}
                 $<TARGET_FILE:heatmap> ${HM_PLUGIN_WORK}/errors)
set_tests_properties(plugin_errors PROPERTIES LABELS plugin)
