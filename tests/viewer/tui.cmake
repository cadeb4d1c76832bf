# The interactive view driven through tmux (tui.sh): one ctest test per scenario, labelled
# `viewer;tui`; each skips (77) when tmux is missing. Only registered when heatmap-view was built
# with the TUI (ncursesw found; otherwise it has tui_none.c and always prints the static text).
if(NOT TARGET heatmap-view)
  return()
endif()
get_target_property(HM_VIEW_SOURCES heatmap-view SOURCES)
if(NOT "tui.c" IN_LIST HM_VIEW_SOURCES)
  message(STATUS "heatmap: heatmap-view has no TUI (no ncursesw); TUI tests not registered")
  return()
endif()

foreach(scenario modes start_mode selection sort filter detail threads help resize colors fallback cpu
                 inputs golden callers memory)
  add_test(NAME viewer_tui_${scenario}
           COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/tui.sh $<TARGET_FILE:heatmap-view>
                   ${CMAKE_CURRENT_LIST_DIR}/fixtures ${scenario})
  set_tests_properties(viewer_tui_${scenario} PROPERTIES LABELS "viewer;tui" SKIP_RETURN_CODE 77
                                                         TIMEOUT 300)
endforeach()

# The live view (tui.sh live, live_dead): a program compiled with the installed plugin (the
# e2e_prefix fixture of tests/e2e) runs with the live server, and heatmap-view shows it.
if(HEATMAP_BUILD_PLUGIN AND DEFINED HM_E2E_PREFIX)
  foreach(scenario live live_dead)
    add_test(NAME viewer_tui_${scenario}
             COMMAND ${CMAKE_COMMAND} -E env HEATMAP_TUI_PREFIX=${HM_E2E_PREFIX}
                     HEATMAP_TUI_LIBDIR=${CMAKE_INSTALL_LIBDIR} HEATMAP_TUI_CLANG=${HEATMAP_CLANG}
                     sh ${CMAKE_CURRENT_LIST_DIR}/tui.sh $<TARGET_FILE:heatmap-view>
                     ${CMAKE_CURRENT_LIST_DIR}/fixtures ${scenario})
    set_tests_properties(viewer_tui_${scenario}
                         PROPERTIES LABELS "viewer;tui;e2e" SKIP_RETURN_CODE 77 TIMEOUT 300
                                    FIXTURES_REQUIRED e2e_prefix)
  endforeach()
endif()
