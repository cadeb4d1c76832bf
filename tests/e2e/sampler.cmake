# End-to-end tests of the CPU sampler (tests/e2e/sampler): compiled with the installed plugin,
# run with HEATMAP_PROFILE_TYPE=cpu, the results' cpu_profile checked with python3.
hm_e2e_requires(hm_e2e_ready "the sampler" python3) # (e2e.cmake)
if(NOT hm_e2e_ready)
  return()
endif()
hm_e2e_modes(sampler MODES cpu sleep sigprof threads eintr fork settings) # (e2e.cmake)
# The hot:cold ratio drifts when the machine has more runnable threads than cores (check_cpu.py).
set_tests_properties(e2e_sampler_cpu PROPERTIES RUN_SERIAL TRUE)

# The whole chain: the runtime's at-exit profiles through the installed libheatmap-export, read
# by go tool pprof (-top, -lines, -traces): tests/e2e/profile.
add_test(NAME e2e_profile_lines
         COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/profile/profile.sh ${HM_E2E_PREFIX}
                 ${CMAKE_INSTALL_LIBDIR} ${HEATMAP_CLANG} ${PROJECT_SOURCE_DIR}
                 ${CMAKE_CURRENT_BINARY_DIR}/e2e/profile_lines)
set_tests_properties(e2e_profile_lines PROPERTIES FIXTURES_REQUIRED e2e_prefix LABELS e2e
                     SKIP_RETURN_CODE 77 RUN_SERIAL TRUE)
