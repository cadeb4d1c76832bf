# hm_export: the --export writers of heatmap-view (pprof, folded, chrome, svg), see export.h.
# pprof's profile.proto (our subset, viewer/pprof/profile.proto) is compiled to C by protoc-c at
# build time. Debian: protobuf-c-compiler, libprotobuf-c-dev, zlib1g-dev.
find_program(HM_PROTOC_C protoc-c REQUIRED)
pkg_check_modules(PROTOBUF_C REQUIRED IMPORTED_TARGET libprotobuf-c)
pkg_check_modules(ZLIB_PC REQUIRED IMPORTED_TARGET zlib)

set(HM_PPROF_GEN ${CMAKE_CURRENT_BINARY_DIR}/pprof)
add_custom_command(
  OUTPUT ${HM_PPROF_GEN}/profile.pb-c.c ${HM_PPROF_GEN}/profile.pb-c.h
  COMMAND ${CMAKE_COMMAND} -E make_directory ${HM_PPROF_GEN}
  COMMAND ${HM_PROTOC_C} --c_out=${HM_PPROF_GEN} --proto_path=${CMAKE_CURRENT_SOURCE_DIR}/pprof
          ${CMAKE_CURRENT_SOURCE_DIR}/pprof/profile.proto
  DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/pprof/profile.proto
  COMMENT "protoc-c: pprof profile.proto")

# Generated code is not ours to warn about: it gets its own library without HM_WARNINGS.
add_library(hm_pprof_proto STATIC ${HM_PPROF_GEN}/profile.pb-c.c)
target_include_directories(hm_pprof_proto PUBLIC ${HM_PPROF_GEN})
target_link_libraries(hm_pprof_proto PUBLIC PkgConfig::PROTOBUF_C)

add_library(hm_export STATIC export.c export_text.c export_pprof.c export_folded.c export_chrome.c
                             export_svg.c)
target_link_libraries(hm_export PUBLIC hm_viewer_core hm_results hm_pprof_proto PkgConfig::ZLIB_PC)
hm_target_defaults(hm_export SANITIZE)
