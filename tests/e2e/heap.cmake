# End-to-end tests of memory tracking (tests/e2e/heap): compiled with the installed plugin, every
# figure checked exactly in the results, heatmap-view's json/csv/text and the pprof profiles.
hm_e2e_requires(hm_e2e_ready "memory tracking" python3) # (e2e.cmake)
if(NOT hm_e2e_ready)
  return()
endif()
foreach(mode exact static off signals fork)
  add_test(NAME e2e_heap_${mode}
           COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/heap/heap.sh ${HM_E2E_PREFIX}
                   ${CMAKE_INSTALL_LIBDIR} ${HEATMAP_CLANG} ${PROJECT_SOURCE_DIR}
                   ${CMAKE_CURRENT_BINARY_DIR}/e2e/heap_${mode} $<TARGET_FILE:heatmap-view> ${mode})
  set_tests_properties(e2e_heap_${mode} PROPERTIES FIXTURES_REQUIRED e2e_prefix LABELS e2e)
endforeach()
