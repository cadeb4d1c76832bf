# Style: the sources must match .clang-format (clang-format 14, the one scripts/deps.sh installs).
add_test(NAME style_clang_format COMMAND ${PROJECT_SOURCE_DIR}/scripts/check-format.sh)
set_tests_properties(style_clang_format PROPERTIES LABELS style)
