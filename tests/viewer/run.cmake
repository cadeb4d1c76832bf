# heatmap-view --run end to end: a small program compiled with the installed plugin and runtime
# (the e2e_prefix fixture of tests/e2e), run through the installed heatmap-view.
if(NOT HEATMAP_BUILD_PLUGIN OR NOT TARGET heatmap-view OR NOT DEFINED HM_E2E_PREFIX)
  return()
endif()
add_test(NAME viewer_run
         COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/run_test.sh ${HM_E2E_PREFIX} ${CMAKE_INSTALL_LIBDIR}
                 ${HEATMAP_CLANG} ${PROJECT_SOURCE_DIR} ${CMAKE_CURRENT_BINARY_DIR}/viewer-run)
set_tests_properties(viewer_run PROPERTIES FIXTURES_REQUIRED e2e_prefix LABELS "viewer;e2e")
