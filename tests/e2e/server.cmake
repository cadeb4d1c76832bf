# End-to-end tests of the live server (tests/e2e/server, docs/server.md): compiled with the
# installed plugin, run with HEATMAP_PROFILER=on, queried with go tool pprof, curl and heatmap-view.
hm_e2e_requires(hm_e2e_ready "the live server" python3 curl) # (e2e.cmake)
if(NOT hm_e2e_ready)
  return()
endif()
foreach(mode pprof http bad busy host fork exit churn)
  add_test(NAME e2e_server_${mode}
           COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/server/server.sh ${HM_E2E_PREFIX}
                   ${CMAKE_INSTALL_LIBDIR} ${HEATMAP_CLANG} ${PROJECT_SOURCE_DIR}
                   ${CMAKE_CURRENT_BINARY_DIR}/e2e/server_${mode} ${mode})
  set_tests_properties(e2e_server_${mode} PROPERTIES FIXTURES_REQUIRED e2e_prefix LABELS e2e
                                                     SKIP_RETURN_CODE 77)
endforeach()
