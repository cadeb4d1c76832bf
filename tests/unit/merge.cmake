# Unit tests of reading and merging many results files (issue 13): the JSON reader against jansson
# as the oracle, and merges checked against sums computed by the test itself.
pkg_check_modules(JANSSON_MERGE REQUIRED IMPORTED_TARGET jansson)
hm_add_unit_test(test_json_read SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_json_read.c
                 LIBS hm_results PkgConfig::JANSSON_MERGE)
target_compile_definitions(test_json_read PRIVATE
                           HM_FUZZ_CORPUS="${PROJECT_SOURCE_DIR}/tests/fuzz/corpus"
                           HM_VIEWER_FIXTURES="${PROJECT_SOURCE_DIR}/tests/viewer/fixtures")
hm_add_unit_test(test_merge SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_merge.c LIBS hm_results)
target_compile_definitions(test_merge PRIVATE
                           HM_VIEWER_FIXTURES="${PROJECT_SOURCE_DIR}/tests/viewer/fixtures")
# Statistics and call paths from one parse per file (hm_results_paths_load_many), checked against
# the two separate loads.
hm_add_unit_test(test_results_paths SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_results_paths.c
                 LIBS hm_results)
target_compile_definitions(test_results_paths PRIVATE
                           HM_FIXTURES="${PROJECT_SOURCE_DIR}/tests/export/fixtures")
