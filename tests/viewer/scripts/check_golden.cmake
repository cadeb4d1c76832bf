# Run heatmap-view once and compare its stdout (and stderr, when a golden file for it exists) with
# golden files; also check the exit status.
#
#   cmake -DVIEWER=... -DWORKDIR=... -DGOLDEN=dir/name -DEXPECT_RC=0 "-DARGS=a;b;c"
#         [-DUPDATE=1] -P check_golden.cmake
#
# GOLDEN names dir/name.out (stdout, required) and dir/name.err (stderr); without name.err, stderr
# must be empty (the docs promise silence there: machine formats, diffs, --help).
# UPDATE=1 (or the environment variable HEATMAP_UPDATE_GOLDEN=1) rewrites the golden files instead
# (name.err too when stderr is not empty or the exit status is not 0), once the exit status is right.
cmake_minimum_required(VERSION 3.20)
foreach(var VIEWER WORKDIR GOLDEN EXPECT_RC)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "check_golden.cmake: ${var} is not set")
  endif()
endforeach()
if("$ENV{HEATMAP_UPDATE_GOLDEN}" STREQUAL "1")
  set(UPDATE 1)
endif()

get_filename_component(name ${GOLDEN} NAME)
set(out_file ${CMAKE_CURRENT_BINARY_DIR}/golden-${name}.out)
set(err_file ${CMAKE_CURRENT_BINARY_DIR}/golden-${name}.err)
execute_process(COMMAND ${VIEWER} ${ARGS}
                WORKING_DIRECTORY ${WORKDIR}
                OUTPUT_FILE ${out_file} ERROR_FILE ${err_file}
                RESULT_VARIABLE rc)

if(UPDATE)
  if(NOT rc STREQUAL "${EXPECT_RC}")
    message(FATAL_ERROR "heatmap-view ${ARGS}: exit status ${rc}, expected ${EXPECT_RC}; "
                        "golden files not updated")
  endif()
  get_filename_component(golden_dir ${GOLDEN} DIRECTORY)
  file(MAKE_DIRECTORY ${golden_dir})
  file(COPY_FILE ${out_file} ${GOLDEN}.out)
  file(SIZE ${err_file} err_size)
  if(EXISTS ${GOLDEN}.err OR NOT EXPECT_RC EQUAL 0 OR err_size GREATER 0)
    file(COPY_FILE ${err_file} ${GOLDEN}.err)
  endif()
  message(STATUS "updated ${GOLDEN}.out")
  return()
endif()

set(failed "")
if(NOT rc STREQUAL "${EXPECT_RC}")
  file(READ ${err_file} err_text)
  string(APPEND failed "exit status ${rc}, expected ${EXPECT_RC}\nstderr:\n${err_text}\n")
endif()
foreach(stream out err)
  if(stream STREQUAL "err" AND NOT EXISTS ${GOLDEN}.err)
    file(SIZE ${err_file} err_size)
    if(err_size GREATER 0)
      file(READ ${err_file} err_text)
      string(APPEND failed "stderr should be empty (no ${GOLDEN}.err), got:\n${err_text}\n")
    endif()
    continue()
  endif()
  set(actual ${CMAKE_CURRENT_BINARY_DIR}/golden-${name}.${stream})
  execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${GOLDEN}.${stream} ${actual}
                  RESULT_VARIABLE differ)
  if(differ)
    find_program(DIFF diff)
    if(DIFF)
      execute_process(COMMAND ${DIFF} -u ${GOLDEN}.${stream} ${actual} OUTPUT_VARIABLE delta)
    else()
      file(READ ${actual} delta)
    endif()
    string(APPEND failed "std${stream} differs from ${GOLDEN}.${stream}:\n${delta}\n")
  endif()
endforeach()
if(failed)
  message(FATAL_ERROR "heatmap-view ${ARGS}\n${failed}"
                      "(HEATMAP_UPDATE_GOLDEN=1 ctest -R ${name} rewrites the golden files)")
endif()
