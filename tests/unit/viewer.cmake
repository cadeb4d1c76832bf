# Unit tests of heatmap-view's core (command line, --fail-if, model, glyphs, layout): no terminal,
# no ncurses, so they link hm_viewer_core alone.
if(TARGET hm_viewer_core)
  hm_add_unit_test(test_viewer SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_viewer.c LIBS hm_viewer_core)
endif()
