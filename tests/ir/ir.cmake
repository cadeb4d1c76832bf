# IR tests for the plugin (label `ir`): each tests/ir/*.ll, *.c and *.cpp file is one ctest test,
# ir_<name>, whose `RUN:` lines run opt or clang with heatmap.so and check the output with
# FileCheck (see run-ir-test.sh for the substitutions).
if(NOT TARGET heatmap)
  return()
endif()
find_program(HM_FILECHECK NAMES FileCheck PATHS ${LLVM_TOOLS_BINARY_DIR} NO_DEFAULT_PATH)
find_program(HM_OPT NAMES opt PATHS ${LLVM_TOOLS_BINARY_DIR} NO_DEFAULT_PATH)
find_program(HM_BASH NAMES bash)
if(NOT HM_FILECHECK OR NOT HM_OPT OR NOT HM_BASH)
  message(WARNING "heatmap: FileCheck, opt or bash not found; IR tests are not registered")
  return()
endif()

file(GLOB HM_IR_TESTS CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/*.ll ${CMAKE_CURRENT_LIST_DIR}/*.c
     ${CMAKE_CURRENT_LIST_DIR}/*.cpp)
list(SORT HM_IR_TESTS)
foreach(test_file ${HM_IR_TESTS})
  get_filename_component(test_name ${test_file} NAME_WE)
  add_test(NAME ir_${test_name}
           COMMAND ${HM_BASH} ${CMAKE_CURRENT_LIST_DIR}/run-ir-test.sh ${test_file} ${HM_OPT}
                   ${HM_FILECHECK} ${HEATMAP_CLANG} ${HEATMAP_CLANGXX} $<TARGET_FILE:heatmap>
                   ${CMAKE_BINARY_DIR}/tests/ir)
  set_tests_properties(ir_${test_name} PROPERTIES LABELS ir)
endforeach()
