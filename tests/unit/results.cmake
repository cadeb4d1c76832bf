# Unit tests of results/ (load, validate, percentiles, merge, sort, filter, diff, durations).
hm_add_unit_test(test_results SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_results.c LIBS hm_results)
hm_add_unit_test(test_results_cpu SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_results_cpu.c
                 LIBS hm_results)
