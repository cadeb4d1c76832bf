# Unit tests of heatmap-view's URL rule for the live server (viewer/fetch.c).
if(TARGET hm_viewer_core)
  hm_add_unit_test(test_fetch SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_fetch.c LIBS hm_viewer_core)
endif()
