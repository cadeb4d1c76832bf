# Unit tests of heatmap-view's core (command line, --fail-if, model, glyphs, layout): no terminal,
# no ncurses, so they link hm_viewer_core alone.
if(TARGET hm_viewer_core)
  hm_add_unit_test(test_viewer SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_viewer.c LIBS hm_viewer_core)
  # heatmap-view's settings: flag > environment > heatmap.yaml view: > default, --show-settings,
  # docs/config.md listing them.
  hm_add_unit_test(test_view_settings SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_view_settings.c
                   LIBS hm_viewer_core)
  target_compile_definitions(test_view_settings PRIVATE HM_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
endif()
