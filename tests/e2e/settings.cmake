# End-to-end tests of the settings (tests/e2e/settings, docs/config.md): heatmap.yaml's runtime:
# section embedded by the installed plugin and applied by the runtime under the environment;
# heatmap-view --show-settings and heatmap-view's own settings.
if(NOT HEATMAP_BUILD_PLUGIN)
  return()
endif()
find_program(HM_PYTHON3 python3)
if(NOT HM_PYTHON3)
  message(STATUS "python3 not found: the settings' end-to-end tests are skipped")
  return()
endif()
foreach(mode embedded environment show twoobjects oldruntime malformed view)
  add_test(NAME e2e_settings_${mode}
           COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/settings/settings.sh ${HM_E2E_PREFIX}
                   ${CMAKE_INSTALL_LIBDIR} ${HEATMAP_CLANG} ${PROJECT_SOURCE_DIR}
                   ${CMAKE_CURRENT_BINARY_DIR}/e2e/settings_${mode} $<TARGET_FILE:heatmap-view>
                   ${mode})
  set_tests_properties(e2e_settings_${mode} PROPERTIES FIXTURES_REQUIRED e2e_prefix LABELS e2e)
endforeach()
