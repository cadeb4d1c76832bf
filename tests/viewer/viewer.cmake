# heatmap-view end-to-end tests: golden files of the static outputs (text, json, csv, diff,
# errors) and, in tui.sh, the interactive view driven through tmux. Fixtures are hand-made results
# files (gen_fixtures.py); the viewer runs with the fixtures directory as its working directory so
# the paths it prints are stable. Refresh the golden files with HEATMAP_UPDATE_GOLDEN=1 ctest -L viewer.
if(NOT TARGET heatmap-view)
  return()
endif()
set(HM_VIEWER_TESTS ${CMAKE_CURRENT_LIST_DIR})

# hm_viewer_golden(NAME EXPECTED_EXIT_STATUS ARG...): compare stdout with golden/NAME.out (and
# stderr with golden/NAME.err when that file exists).
function(hm_viewer_golden name rc)
  add_test(NAME viewer_${name}
           COMMAND ${CMAKE_COMMAND} -DVIEWER=$<TARGET_FILE:heatmap-view>
                   -DWORKDIR=${HM_VIEWER_TESTS}/fixtures -DGOLDEN=${HM_VIEWER_TESTS}/golden/${name}
                   -DEXPECT_RC=${rc} "-DARGS=${ARGN}" -P ${HM_VIEWER_TESTS}/scripts/check_golden.cmake)
  set_tests_properties(viewer_${name} PROPERTIES LABELS viewer)
endfunction()

# The seed's static summary, each mode, widths and glyph sets.
hm_viewer_golden(bar 0 small.json)
hm_viewer_golden(sparkline 0 --mode=sparkline small.json)
hm_viewer_golden(table 0 --mode=table small.json)
hm_viewer_golden(table_narrow 0 --mode=table --width=40 small.json)
hm_viewer_golden(bar_narrow_ascii 0 --ascii --width=40 small.json)
hm_viewer_golden(format_text 0 --format=text --mode=sparkline --width=120 small.json)
hm_viewer_golden(top_sort 0 --mode=table --sort=count --top=4 small.json)
hm_viewer_golden(sort_name 0 --mode=table --sort=name small.json)
hm_viewer_golden(filter 0 --mode=table --filter=parse small.json)
hm_viewer_golden(filter_glob 0 --mode=table "--filter=*_*s" small.json)
hm_viewer_golden(many 0 many.json)
hm_viewer_golden(many_all 0 --mode=table --top=all many.json)
hm_viewer_golden(merge 0 --mode=table base.json new.json)
hm_viewer_golden(threads 0 --threads threads.json)
# Machine formats.
hm_viewer_golden(json 0 --format=json small.json)
hm_viewer_golden(json_merge 0 --format=json --sort=name base.json new.json)
hm_viewer_golden(csv 0 --format=csv small.json)
# Comparison and checks.
hm_viewer_golden(diff 0 --diff base.json new.json)
hm_viewer_golden(diff_json 0 --format=json --diff base.json new.json)
hm_viewer_golden(diff_csv 0 --format=csv --diff base.json new.json)
hm_viewer_golden(fail_if_pass 0 --format=csv --top=1 --fail-if "elapsed>1s" small.json)
hm_viewer_golden(fail_if_fail 1 --format=csv --top=1 --fail-if "elapsed>100ms"
                 --fail-if "p95(*_*)>1ms" --fail-if "calls<10" small.json)
hm_viewer_golden(fail_if_base 1 --format=csv --top=1 --diff base.json new.json
                 --fail-if "cpu(parse_*)>1.2*base" --fail-if "elapsed>2*base")
# Usage and input errors: exit status 2 and one clear line.
hm_viewer_golden(help 0 --help)
hm_viewer_golden(bad_mode 2 --mode=pie small.json)
hm_viewer_golden(bad_flag 2 --colour small.json)
hm_viewer_golden(bad_top 2 --top=-3 small.json)
hm_viewer_golden(bad_fail_if 2 --fail-if "elapsed>500" small.json)
hm_viewer_golden(missing_file 2 no-such-file.json)
hm_viewer_golden(broken_file 2 broken.json)
hm_viewer_golden(base_without_diff 2 --fail-if "cpu(main)>1.1*base" small.json)
