# End-to-end tests of the CPU sampler (tests/e2e/sampler): compiled with the installed plugin,
# run with HEATMAP_PROFILE_TYPE=cpu, the results' cpu_profile checked with python3.
if(NOT HEATMAP_BUILD_PLUGIN)
  return()
endif()
find_program(HM_PYTHON3 python3)
if(NOT HM_PYTHON3)
  message(STATUS "python3 not found: the sampler's end-to-end tests are skipped")
  return()
endif()
hm_e2e_modes(sampler MODES cpu sleep sigprof threads eintr fork settings) # (e2e.cmake)
# The hot:cold ratio drifts when the machine has more runnable threads than cores (check_cpu.py).
set_tests_properties(e2e_sampler_cpu PROPERTIES RUN_SERIAL TRUE)
