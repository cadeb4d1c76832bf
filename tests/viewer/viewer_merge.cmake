# Merging many files (issue 13): a small fleet written by bench/merge/gen_results.c (12 processes of
# one program, 20 of its 24 functions each, four threads, call paths, memory), merged by heatmap-view.
# The golden files were made by heatmap-view before merging became an accumulator over a worker
# pool (commit eff3f49, jansson and the all-at-once merge): the merged output must stay byte for
# byte what it was. 12 x 4 threads stay below the merged thread table's 64 rows.
if(NOT TARGET heatmap-view)
  return()
endif()
add_executable(hm_gen_results ${PROJECT_SOURCE_DIR}/bench/merge/gen_results.c)
target_include_directories(hm_gen_results PRIVATE ${PROJECT_SOURCE_DIR}/include)
set(HM_FLEET_DIR ${CMAKE_CURRENT_BINARY_DIR}/fleet)
add_test(NAME viewer_fleet_files
         COMMAND sh -c "rm -rf '${HM_FLEET_DIR}' && mkdir -p '${HM_FLEET_DIR}' && \
'$<TARGET_FILE:hm_gen_results>' '${HM_FLEET_DIR}' 12 20 7")
set_tests_properties(viewer_fleet_files PROPERTIES LABELS viewer FIXTURES_SETUP hm_fleet)
set(HM_FLEET_FILES)
foreach(i RANGE 11)
  list(APPEND HM_FLEET_FILES heatmap.${i}.json)
endforeach()
foreach(variant "json;--format=json" "csv;--format=csv" "text;--no-tui;--threads;--mode=table;--top=all"
                "csv_threads;--format=csv;--threads")
  list(POP_FRONT variant name)
  add_test(NAME viewer_fleet_${name}
           COMMAND ${CMAKE_COMMAND} -DVIEWER=$<TARGET_FILE:heatmap-view> -DWORKDIR=${HM_FLEET_DIR}
                   -DGOLDEN=${CMAKE_CURRENT_LIST_DIR}/golden/fleet_${name} -DEXPECT_RC=0
                   "-DARGS=${variant};${HM_FLEET_FILES}"
                   -P ${CMAKE_CURRENT_LIST_DIR}/scripts/check_golden.cmake)
  set_tests_properties(viewer_fleet_${name} PROPERTIES LABELS viewer FIXTURES_REQUIRED hm_fleet
                       ENVIRONMENT "LC_ALL=C.UTF-8;LANG=C.UTF-8")
endforeach()
