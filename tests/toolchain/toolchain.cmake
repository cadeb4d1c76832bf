# Toolchain tests (tests/toolchain/run_toolchain.sh): the installed CMake package, heatmap-build,
# man pages, bash completion and the Debian package; they use tests/e2e's installed prefix.
if(NOT HEATMAP_BUILD_PLUGIN)
  return()
endif()
foreach(case cmake make make_gcc status man completion deb)
  add_test(NAME toolchain_${case}
           COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/run_toolchain.sh ${case} ${HM_E2E_PREFIX}
                   $<TARGET_FILE:check_results> ${PROJECT_SOURCE_DIR}
                   ${CMAKE_CURRENT_BINARY_DIR}/toolchain/${case} ${CMAKE_BINARY_DIR})
  set_tests_properties(toolchain_${case} PROPERTIES
    FIXTURES_REQUIRED e2e_prefix LABELS toolchain
    ENVIRONMENT "HM_TEST_CLANG=${HEATMAP_CLANG};HM_TEST_CLANGXX=${HEATMAP_CLANGXX}")
endforeach()
# cpack installs the whole build again into its staging directory: not at the same time as the
# e2e install into the same build tree's prefix, which reads the same files (harmless) -- but keep
# it out of the way of tests that rebuild nothing either way.
set_tests_properties(toolchain_deb PROPERTIES TIMEOUT 120)
