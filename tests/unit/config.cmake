# Unit tests of the config library (config/): heatmap.yaml parsing and selection, globs, paths,
# function names.
hm_add_unit_test(test_config SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_config.c LIBS hm_config)
hm_add_unit_test(test_glob SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_glob.c LIBS hm_config)
hm_add_unit_test(test_names SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_names.c LIBS hm_config)
