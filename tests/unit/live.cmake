# Unit tests of heatmap-view's live view (viewer/live.c: --interval, reads again, the status line)
# and of the model's rebuild on new results (viewer/model.c: hm_model_replace_results).
if(TARGET hm_viewer_core)
  hm_add_unit_test(test_live SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_live.c LIBS hm_viewer_core
                   pthread)
endif()
