# Runtime unit tests: the runtime's sources with an injected clock (hm_runtime_testable), so
# self-times, maxima and histogram buckets can be asserted exactly. Results read back with jansson.
pkg_check_modules(JANSSON_RT REQUIRED IMPORTED_TARGET jansson)
hm_add_unit_test(test_runtime SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_runtime.c
                 LIBS hm_runtime_testable PkgConfig::JANSSON_RT)
set_property(TEST test_runtime APPEND PROPERTY ENVIRONMENT
             "HEATMAP_OUTPUT=${CMAKE_CURRENT_BINARY_DIR}/test_runtime_atexit.json")
# Memory tracking's accounting (runtime/heap.c), through the same testable runtime.
hm_add_unit_test(test_heap SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_heap.c
                 LIBS hm_runtime_testable PkgConfig::JANSSON_RT)
set_property(TEST test_heap APPEND PROPERTY ENVIRONMENT
             "HEATMAP_OUTPUT=${CMAKE_CURRENT_BINARY_DIR}/test_heap_atexit.json")
# The runtime settings (include/heatmap/settings.h): validators, precedence, the records this test
# carries in its own heatmap_settings section applied under the environment below, and
# docs/config.md listing every setting.
hm_add_unit_test(test_settings SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_settings.c
                 LIBS hm_runtime_testable)
target_compile_definitions(test_settings PRIVATE HM_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
set_property(TEST test_settings APPEND PROPERTY ENVIRONMENT
             "HEATMAP_OUTPUT=${CMAKE_CURRENT_BINARY_DIR}/test_settings_atexit.json")
