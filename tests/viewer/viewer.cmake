# heatmap-view end-to-end tests: golden files of the static outputs (text, json, csv, diff,
# errors) and, in tui.sh, the interactive view driven through tmux. Fixtures are hand-made results
# files (gen_fixtures.py); the viewer runs with the fixtures directory as its working directory so
# the paths it prints are stable. Refresh the golden files with HEATMAP_UPDATE_GOLDEN=1 ctest -L viewer.
if(NOT TARGET heatmap-view)
  return()
endif()
set(HM_VIEWER_TESTS ${CMAKE_CURRENT_LIST_DIR})

# hm_viewer_golden(NAME EXPECTED_EXIT_STATUS ARG...): compare stdout with golden/NAME.out (and
# stderr with golden/NAME.err when that file exists). The locale is UTF-8 (the glyphs depend on
# it) unless HM_GOLDEN_LOCALE names another; NO_COLOR and TERM do not matter without a terminal.
set(HM_GOLDEN_LOCALE C.UTF-8)
function(hm_viewer_golden name rc)
  add_test(NAME viewer_${name}
           COMMAND ${CMAKE_COMMAND} -DVIEWER=$<TARGET_FILE:heatmap-view>
                   -DWORKDIR=${HM_VIEWER_TESTS}/fixtures -DGOLDEN=${HM_VIEWER_TESTS}/golden/${name}
                   -DEXPECT_RC=${rc} "-DARGS=${ARGN}" -P ${HM_VIEWER_TESTS}/scripts/check_golden.cmake)
  set_tests_properties(viewer_${name} PROPERTIES LABELS viewer
                       ENVIRONMENT "LC_ALL=${HM_GOLDEN_LOCALE};LANG=${HM_GOLDEN_LOCALE}")
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
hm_viewer_golden(filter_smart_case 0 --mode=table --filter=parser small.json)
hm_viewer_golden(many 0 many.json)
hm_viewer_golden(many_all 0 --mode=table --top=all many.json)
hm_viewer_golden(merge 0 --mode=table base.json new.json)
hm_viewer_golden(threads 0 --threads threads.json)
hm_viewer_golden(threads_table 0 --threads --mode=table --width=80 threads.json)
hm_viewer_golden(table_p99 0 --mode=table --percentile=p99 --sort=p95 small.json)
hm_viewer_golden(sparkline_ascii 0 --mode=sparkline --ascii --width=60 small.json)
hm_viewer_golden(no_tui 0 --no-tui --mode=table --top=3 small.json)
hm_viewer_golden(empty_run 0 --mode=table empty_run.json)
hm_viewer_golden(filter_none 0 --filter=nothing_matches small.json)
hm_viewer_golden(odd_names 0 --mode=table --threads --width=80 odd_names.json)
hm_viewer_golden(odd_names_csv 0 --format=csv odd_names.json)
# Not a UTF-8 locale: ASCII bars, "us" for microseconds, "~" for the ellipsis.
set(HM_GOLDEN_LOCALE C)
hm_viewer_golden(locale_c 0 --width=60 small.json)
set(HM_GOLDEN_LOCALE C.UTF-8)
# Machine formats.
hm_viewer_golden(json 0 --format=json small.json)
hm_viewer_golden(json_merge 0 --format=json --sort=name base.json new.json)
hm_viewer_golden(csv 0 --format=csv small.json)
hm_viewer_golden(csv_threads 0 --format=csv --threads threads.json)
hm_viewer_golden(json_filter_top 0 --format=json --filter=_ --sort=avg --top=2 small.json)
# Comparison and checks.
hm_viewer_golden(diff 0 --diff base.json new.json)
hm_viewer_golden(diff_json 0 --format=json --diff base.json new.json)
hm_viewer_golden(diff_csv 0 --format=csv --diff base.json new.json)
hm_viewer_golden(diff_filter_top 0 --diff base.json new.json --filter=*_* --top=2)
hm_viewer_golden(diff_same 0 --diff small.json small.json --top=3)
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
hm_viewer_golden(fail_if_no_match 2 --format=csv --top=1 --fail-if "p95(nomatch*)>1ms" small.json)
hm_viewer_golden(fail_if_absent 1 --format=csv --top=1 --fail-if "calls(init_*)<1"
                 --fail-if "count(main)==1" --fail-if "parallelism>=0.5x" small.json)
hm_viewer_golden(bad_percentile 2 --percentile=p90 small.json)
hm_viewer_golden(bad_width 2 --width=20 small.json)
hm_viewer_golden(bad_interval 2 --interval=5min http://127.0.0.1:1)
hm_viewer_golden(interval_file 2 --interval=2s small.json)
hm_viewer_golden(diff_and_files 2 --diff base.json new.json small.json)
hm_viewer_golden(empty_file 2 empty.json)
hm_viewer_golden(not_json 2 not_json.txt)
hm_viewer_golden(version2 2 version2.json)
hm_viewer_golden(absurd 2 absurd.json)
hm_viewer_golden(hist_mismatch 2 hist_mismatch.json)
hm_viewer_golden(merge_broken 2 small.json broken.json)
hm_viewer_golden(diff_missing 2 --diff base.json no-such-file.json)
# The cpu/wait split of newer runtimes (pool.json): CPU Time, Wait, Parallelism and the profiling
# overhead; threads ranked by CPU; --sort=wait and --sort=self; a merge with an older file (the
# split is then unknown: n/a, empty CSV cells, JSON null); splits that contradict themselves.
hm_viewer_golden(pool 0 --mode=table --threads pool.json)
hm_viewer_golden(pool_bar 0 --width=80 pool.json)
hm_viewer_golden(pool_sort_wait 0 --mode=table --sort=wait pool.json)
hm_viewer_golden(pool_sort_self 0 --mode=table --sort=self --top=3 pool.json)
hm_viewer_golden(pool_json 0 --format=json pool.json)
hm_viewer_golden(pool_csv 0 --format=csv pool.json)
hm_viewer_golden(pool_csv_threads 0 --format=csv --threads pool.json)
hm_viewer_golden(pool_mixed 0 --format=json --top=3 small.json pool.json)
hm_viewer_golden(pool_fail_if 1 --format=csv --top=1 --fail-if "wait(worker_*)>100ms"
                 --fail-if "cpu(worker_wait)>100ms" --fail-if "self(main)<=5ms" pool.json)
hm_viewer_golden(cpu_mismatch 2 cpu_mismatch.json)
hm_viewer_golden(open_excess 2 open_excess.json)
# The numbers recomputed independently from the fixtures' JSON (oracle.py follows
# docs/results-format.md, not our C code) and compared with the CSV, table and diff outputs.
find_program(HM_PYTHON3 python3)
if(HM_PYTHON3)
  add_test(NAME viewer_oracle COMMAND ${HM_PYTHON3} ${HM_VIEWER_TESTS}/oracle.py
                                      $<TARGET_FILE:heatmap-view> ${HM_VIEWER_TESTS}/fixtures)
  set_tests_properties(viewer_oracle PROPERTIES LABELS viewer)
endif()
