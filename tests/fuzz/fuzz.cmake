# Fuzzing in the test suite (docs/fuzzing.md). Two kinds of test:
# - fuzz_corpus_<target>: the fuzz target built with the project's compiler and a replay main()
#   (tests/fuzz/replay.c), run over its checked-in corpus, crash regressions included;
# - fuzz_run: scripts/fuzz.sh 3, which builds the libFuzzer targets with clang in a build tree of
#   its own (<build>/fuzz) and fuzzes each for 3 seconds. Skipped (77) when clang has no libFuzzer.
set(HM_FUZZ_DIR ${CMAKE_CURRENT_LIST_DIR})
foreach(target config results trace)
  set(lib hm_results)
  if(target STREQUAL "config")
    set(lib hm_config)
  endif()
  add_executable(fuzz_replay_${target} ${HM_FUZZ_DIR}/replay.c ${HM_FUZZ_DIR}/fuzz_${target}.c)
  target_link_libraries(fuzz_replay_${target} PRIVATE ${lib})
  hm_target_defaults(fuzz_replay_${target} SANITIZE)
  add_test(NAME fuzz_corpus_${target}
           COMMAND fuzz_replay_${target} ${HM_FUZZ_DIR}/corpus/${target})
  set_tests_properties(fuzz_corpus_${target} PROPERTIES LABELS "unit;fuzz")
endforeach()

if(HEATMAP_CLANG)
  add_test(NAME fuzz_run COMMAND sh ${PROJECT_SOURCE_DIR}/scripts/fuzz.sh 3)
  set_tests_properties(fuzz_run PROPERTIES LABELS fuzz TIMEOUT 1200 SKIP_RETURN_CODE 77
    ENVIRONMENT "HEATMAP_CLANG=${HEATMAP_CLANG};HEATMAP_FUZZ_BUILD=${CMAKE_BINARY_DIR}/fuzz")
endif()
