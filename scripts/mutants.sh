#!/bin/sh
# Seeded-bug check: does the test suite catch the bugs that matter? Opt-in, not part of ctest.
#
# Copies the tree (the files git knows, with their working-tree contents) to a scratch directory,
# builds it once like scripts/test.sh does, then for each mutation below: patches one file with
# sed, rebuilds, runs the tests that should notice (a ctest regular expression; --full runs the
# whole suite), prints "caught by TEST" or "NOT CAUGHT", and restores the file. Exits 1 when any
# mutation is not caught (or no longer applies: the code it patches has changed), 0 otherwise.
#
# usage: scripts/mutants.sh [--full] [NAME...]     (NAME: run only these mutations)
#   HEATMAP_MUTANTS_DIR   scratch directory (default: build-mutants in this checkout, where git
#                         ignores it); reused, so a second run rebuilds only what changed. Not
#                         under /tmp by default: the plugin looks for heatmap.yaml in every
#                         directory above a source file, and a stray /tmp/heatmap.yaml would change
#                         what the tests compile
#   LLVM_CONFIG           as for the build (default /usr/bin/llvm-config-14)
#   JOBS                  build and ctest parallelism (default 2)
# The results of the last run are recorded in docs/testing.md.
set -eu

full=0
while [ $# -gt 0 ]; do
    case "$1" in
    --full) full=1 ;;
    -h | --help)
        sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'
        exit 0
        ;;
    -*)
        echo "mutants.sh: unknown option '$1'" >&2
        exit 2
        ;;
    *) break ;;
    esac
    shift
done
only="$*"

src=$(cd "$(dirname "$0")/.." && pwd)
scratch=${HEATMAP_MUTANTS_DIR:-$src/build-mutants}
jobs=${JOBS:-2}
llvm_config=${LLVM_CONFIG:-/usr/bin/llvm-config-14}
tree="$scratch/src" build="$scratch/build"

# ---- the scratch copy and its build ---------------------------------------------------------
# Only the files that differ from the scratch copy are replaced, with the time of the copy: the
# scratch objects may be newer than a file's own time in this checkout (built by an earlier run
# from an earlier version of it), so keeping that time would leave them stale.
mkdir -p "$tree"
rm -rf "$scratch/incoming" && mkdir -p "$scratch/incoming"
(cd "$src" && git ls-files -z --cached --others --exclude-standard |
    xargs -0 sh -c 'for f; do [ -f "$f" ] && printf "%s\0" "$f"; done' sh |
    xargs -0 tar cf -) | (cd "$scratch/incoming" && tar xpf -)
(cd "$scratch/incoming" && find . -type f -print0) | (cd "$scratch/incoming" &&
    xargs -0 sh -c 'for f; do
        if ! cmp -s "$f" "$0/$f"; then mkdir -p "$(dirname "$0/$f")" && cp "$f" "$0/$f"; fi
        chmod "$(stat -c %a "$f")" "$0/$f"; done' "$tree")
# Files the checkout no longer has go from the copy too (a stale source could still be built).
(cd "$tree" && find . -type f -print0) | (cd "$tree" &&
    xargs -0 sh -c 'for f; do [ -e "$0/$f" ] || rm -f "$f"; done' "$scratch/incoming")
rm -rf "$scratch/incoming"
echo "mutants: building $tree in $build" >&2
cmake -S "$tree" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHEATMAP_BUILD_TESTS=ON \
    -DHEATMAP_SANITIZE=ON -DLLVM_CONFIG="$llvm_config" >"$scratch/configure.log" 2>&1 || {
    echo "mutants: configure failed, see $scratch/configure.log" >&2
    exit 2
}
cmake --build "$build" -j"$jobs" >"$scratch/build.log" 2>&1 || {
    echo "mutants: the unmutated tree does not build, see $scratch/build.log" >&2
    exit 2
}

# ---- one mutation ---------------------------------------------------------------------------
missed=0 total=0
# mutant NAME FILE TESTS SED-SCRIPT: TESTS is a ctest -R expression (ignored with --full).
mutant() {
    name=$1 file=$2 tests=$3 script=$4
    if [ -n "$only" ]; then
        case " $only " in *" $name "*) ;; *) return 0 ;; esac
    fi
    total=$((total + 1))
    cp -p "$tree/$file" "$scratch/original"
    sed "$script" "$scratch/original" >"$tree/$file"
    if cmp -s "$scratch/original" "$tree/$file"; then
        printf '%-28s NOT APPLIED (the pattern is no longer in %s)\n' "$name" "$file"
        missed=$((missed + 1))
        return 0
    fi
    log="$scratch/$name.log"
    if ! cmake --build "$build" -j"$jobs" >"$log" 2>&1; then
        printf '%-28s caught by the build (does not compile: fix the mutation)\n' "$name"
    else
        regex=$tests
        [ "$full" = 1 ] && regex=.
        ctest --test-dir "$build" -R "$regex" -j"$jobs" --timeout 300 --output-on-failure \
            >>"$log" 2>&1 || true
        failed=$(sed -n '/tests FAILED:$/,$s/^[[:space:]]*[0-9][0-9]* - \([^ ]*\) (.*/\1/p' "$log" |
            tr '\n' ' ')
        if [ -n "$failed" ]; then
            printf '%-28s caught by %s\n' "$name" "$failed"
        else
            printf '%-28s NOT CAUGHT (ran: %s)\n' "$name" "$regex"
            missed=$((missed + 1))
        fi
    fi
    cp -p "$scratch/original" "$tree/$file"
    touch "$tree/$file" # newer than the mutant's objects: the next build recompiles it
}

# ---- the mutations --------------------------------------------------------------------------
rt='^(test_runtime|e2e_.*|viewer_run)$'

# Histogram: the last-bucket clamp off by one (2^40 ns and more written past the array).
mutant hist_clamp runtime/rt_hot.h "$rt" 's/b >= HM_RT_BUCKETS/b > HM_RT_BUCKETS/'
# Histogram: the direct count in the wrong bucket; a 32-bit bucket's wrap not carried.
mutant hist_direct_bucket runtime/hot_path.c "$rt" 's/hm_sig_inc32(&hist\[b\])/hm_sig_inc32(\&hist[0])/'
mutant hist_wrap_lost runtime/hot_path.c "$rt" 's/            hm_hist_spill_saved(s, b);/            (void)0;/'
# Histogram: exact buckets end one early.
mutant hist_exact_edge include/heatmap/histogram.h '^(test_runtime|test_results)$' \
    's/if (v < HM_HIST_SUB)/if (v + 1 < HM_HIST_SUB)/'
# The writer drops a metadata field or writes every line as 0.
mutant writer_no_start runtime/writer.c "$rt" '/HM_KEY_start_unix_ns, hm_rt.start_unix_ns/d'
mutant writer_no_program runtime/writer.c "$rt" '/HM_KEY_program,/,/: "");/d'
mutant writer_no_pid runtime/writer.c "$rt" '/HM_KEY_pid,/d'
mutant writer_no_hostname runtime/writer.c "$rt" '/HM_KEY_hostname, host/d'
mutant writer_no_clock runtime/writer.c "$rt" '/HM_KEY_clock,/,/"monotonic");/d'
mutant writer_line_zero runtime/writer.c "$rt" 's/HM_FN_KEY_line, m->line/HM_FN_KEY_line, 0/'
# Signals: results written but the signal not raised again (the program keeps running).
mutant signal_no_reraise runtime/lifecycle.c "$rt" 's/^    hm_raise_unblocked(sig);$/    (void)0;/'
mutant signal_wrong_end runtime/lifecycle.c "$rt" 's/{SIGINT, "signal:SIGINT"}/{SIGINT, "exit"}/'
mutant signals_flag_ignored runtime/lifecycle.c "$rt" 's/if (hm_flag_signals)/if (1)/'
mutant signal_over_own_handler runtime/lifecycle.c "$rt" \
    's/if (!(old.sa_flags \& SA_SIGINFO) \&\& old.sa_handler != SIG_DFL)/if (0)/'
# Overhead compensation: HEATMAP_COMPENSATE=off ignored; 10x the calibrated median; the
# per-child part left out.
mutant compensate_ignored runtime/lifecycle.c "$rt" 's/if (hm_rt.compensate)/if (1)/'
mutant calibrate_10x runtime/calibrate.c "$rt" \
    's/hm_rt.comp_self_ns = leaf\[ROUNDS \/ 2\];/hm_rt.comp_self_ns = 10 * leaf[ROUNDS \/ 2];/'
mutant comp_child_dropped runtime/hot_path.c "$rt" \
    's/elapsed + hm_rt.comp_child_ticks/elapsed + 0/'
# Atomic writing: straight to PATH instead of PATH.tmp.PID + rename; the temporary left behind.
mutant write_in_place runtime/json_out.c "$rt" \
    's/open(o->tmp, O_WRONLY/open(o->path, O_WRONLY/; s/rename(o->tmp, o->path) != 0/0/'
mutant tmp_not_removed runtime/json_out.c "$rt" 's/^        unlink(o->tmp);$/        (void)0;/'
# Call paths: the node limit one lower; direct recursion making new nodes.
mutant paths_limit_minus_one runtime/paths.c "$rt" 's/if (n >= tree->max) {/if (n + 1 >= tree->max) {/'
mutant paths_recursion_nodes runtime/hot_path.c "$rt" 's/if (p->func == id)/if (0)/'
# Call-path totals (summed at the write): a node's children left out of its total.
mutant paths_totals_unsummed runtime/writer.c "$rt" 's/total\[parent\] += total\[i\];/(void)0;/'
# The CPUs a process may use: the affinity mask ignored (the results' cpus, the bound of
# Parallelism, then counts CPUs a taskset process cannot use).
mutant cpus_affinity_ignored include/heatmap/cpus.h '^(e2e_install|e2e_waits_cpu4)$' \
    's/if (sched_getaffinity(0, sizeof set, \&set) == 0/if (0 \&\& sched_getaffinity(0, sizeof set, \&set) == 0/'
# Merged thread table: the first rows kept instead of the busiest; a file's "other threads" row
# ranked as a thread.
mutant merge_first_rows_kept results/results_merge.c '^test_merge$' \
    's/if (busy_of(t) <= busy_of(\&r->threads\[least\])) {/if (1) {/'
mutant merge_other_row_kept results/results_merge.c '^test_merge$' \
    's/if (t->tid == HM_OTHER_TID) {/if (0) {/'
# Pending histogram entries (a call's bucket waits in its shadow-stack slot): the slot's previous
# call not counted by the next pop; readers that leave them out; a thread's folded at its exit
# without them; slots beyond HM_PENDING_DEPTH keeping calls (what readers scan unbounded).
mutant pending_dropped runtime/hot_path.c "$rt" \
    's/        hm_hist_count(previous, f->pending_ns);/        (void)previous;/'
mutant pending_not_read runtime/thread_state.c "$rt" \
    's/            hm_hist_pending_add(d, s, hist);/            (void)0;/'
mutant pending_not_settled_at_exit runtime/thread_state.c "$rt" \
    's/        hm_hist_settle_all(\&hm_tls_self);/        (void)0;/'
mutant pending_depth_unbounded runtime/hot_path.c "$rt" \
    's/    if (d > HM_PENDING_DEPTH) {/    if (0) {/'
# Self time: children not subtracted.
mutant self_includes_children runtime/hot_path.c "$rt" \
    's/uint64_t self_ticks = elapsed > child ? elapsed - child : 0;/uint64_t self_ticks = elapsed + 0 * child;/'
# Thread exit (issue 16): the merge's signal block lifted after it, or never taken (handler calls
# during and after the merge lost); kept on a thread that may run exit() (atexit handlers with
# signals blocked); the merge not put off to the last destructor round (the program's key
# destructors' calls lost); the main thread's key not marked (its pthread_exit unseen).
ex='^(e2e_install|e2e_robust_exitsig|e2e_robust_mainexit)$'
mutant exit_signals_restored runtime/lifecycle.c "$ex" \
    's/if (masked \&\& (main_thread || atomic_load(\&hm_main_gone)))/if (masked)/'
mutant exit_signals_unblocked runtime/lifecycle.c "$ex" \
    's/bool masked = pthread_sigmask(SIG_BLOCK, \&block, \&old) == 0;/bool masked = false;/'
mutant exit_last_thread_blocked runtime/lifecycle.c "$ex" \
    's/if (masked \&\& (main_thread || atomic_load(\&hm_main_gone)))/if (0)/'
mutant exit_merge_not_deferred runtime/lifecycle.c "$ex" \
    's/++hm_exit_round < HM_EXIT_ROUNDS \&\&/0 \&\&/'
mutant exit_main_unmarked runtime/lifecycle.c "$ex" \
    's/pthread_setspecific(hm_rt.thread_key, \&hm_main_marker);/(void)0;/'
# longjmp landings (issue 14): the runtime's landing call does nothing (unwound frames pile up
# under a loop around setjmp, lost at the thread's end); it never finds the landing function's
# frame (a frame inlined into it stays open); the plugin emits no landing call; a function that
# calls setjmp is not pinned (throttled like any other); a thread's merge leaves its depth (an exit
# call after it reads the unmapped stack). The path cache compares only the function. Frames
# closed by a landing are not checked for throttling (an error path is never throttled).
lj='^(e2e_install|test_runtime|ir_setjmp|ir_exceptions|e2e_robust_throttle|e2e_stress)$'
mutant landing_noop runtime/hot_path.c "$lj" 's/^    hm_landing_slow(t, record, sp);$/    (void)0;/'
mutant landing_no_frame runtime/hot_path.c "$lj" \
    's/uint32_t keep = record ? hm_landing_depth(t, record->id, sp) : 0;/uint32_t keep = 0 * (record ? hm_landing_depth(t, record->id, sp) : 0);/'
mutant landing_not_emitted plugin/instrument.c "$lj" \
    's/        hm_emit_landing(st, record, timed, landings\[l\], loc);/        (void)0;/'
mutant setjmp_not_pinned plugin/instrument.c "$lj" \
    's/LLVMValueRef timed = hm_emit_enter(st, fn, record, loc, nlandings > 0);/LLVMValueRef timed = hm_emit_enter(st, fn, record, loc, false);/'
mutant unwound_not_checked runtime/hot_path.c "$lj" \
    's/^    hm_fstats \*s = hm_pop(t, t->depth, now);$/    hm_fstats *s = hm_pop(t, t->depth, now) ? NULL : NULL;/'
mutant exit_keeps_depth runtime/thread_state.c "$lj" 's/^        t->depth = 0;$/        (void)0;/'
mutant path_cache_func_only runtime/paths.c "$lj" \
    's/__atomic_load_n(\&e->key, __ATOMIC_RELAXED) != key)/(uint32_t)__atomic_load_n(\&e->key, __ATOMIC_RELAXED) != (uint32_t)key)/;s/__atomic_load_n(\&e->key, __ATOMIC_RELAXED) == key ? node/(uint32_t)__atomic_load_n(\&e->key, __ATOMIC_RELAXED) == (uint32_t)key ? node/'
# Hooks that preserve the registers (ABI v3): the runtime's hooks with the C convention while the
# plugin calls them with preserve_mostcc (instrumented code finds its registers changed); a run
# with HEATMAP=off not marking its records off; the hooks called through lazily bound PLT entries
# (whose resolver does not preserve r10); the plugin calling the hooks with the C convention (a
# leaf saves its registers again).
hk='^(e2e_install|e2e_robust_registers|ir_hook_cc|plugin_shapes_O2|plugin_binaries_pie)$'
mutant hook_c_convention include/heatmap/abi.h "$hk" \
    's/^#define HM_ABI_HOOK __attribute__((no_caller_saved_registers))$/#define HM_ABI_HOOK/'
mutant records_not_marked_off runtime/lifecycle.c "$hk" \
    's/    if (!hm_flag_enabled) \/\* a run that records nothing/    if (0) \/* a run that records nothing/'
mutant hooks_lazily_bound plugin/emit.c "$hk" 's/^        if (cc == LLVMPreserveMostCallConv)$/        if (0)/'
# Plugin selection: clang's intrinsics (no debug information) instrumented again.
mutant nodebug_instrumented plugin/select.c '^(ir_nodebug|ir_.*)$' \
    's/    if (!sel.named_exactly \&\& is_nodebug(fn)) {/    if (0 \&\& is_nodebug(fn)) {/'
mutant hook_calls_c_convention plugin/emit.c "$hk" \
    's/    return x86_64 ? LLVMPreserveMostCallConv : LLVMCCallConv;/    return x86_64 ? LLVMCCallConv : LLVMCCallConv;/'
# Percentiles: nearest rank rounded down.
mutant percentile_rank_floor include/heatmap/results_format.h \
    '^(test_runtime|test_results|viewer_oracle|viewer_json|viewer_table)$' \
    's/uint64_t rank = (count \* p + 99) \/ 100;/uint64_t rank = (count * p) \/ 100;/'
# SVG flame graph: frames sized by self instead of total time.
mutant svg_width_self export/export_svg.c '^(test_exports|export_.*)$' \
    's/span\[i\] = n->total_ns < room ? n->total_ns : room;/span[i] = n->self_ns < room ? n->self_ns : room;/'
# heatmap-view: the JSON summary's parallelism to 2 decimals, its total calls, the thread table's
# share of calls instead of CPU time.
vw='^viewer_(oracle|json|json_merge|threads|threads_table|csv_threads|diff)$'
mutant json_parallelism_2dp viewer/render.c "$vw" \
    's/(parallelism \* 1000.0 + 0.5) \/ 1000.0/(parallelism * 100.0 + 0.5) \/ 100.0/'
mutant json_total_calls viewer/render.c "$vw" \
    's/"total_calls", u64(hm_results_total_calls(r))/"total_calls", u64(r->nfunctions)/'
mutant thread_share_calls viewer/render.c "$vw" \
    's/total ? 100.0 \* (double)ns \/ (double)total : 0)/total ? 100.0 * (double)t->calls \/ (double)total : 0)/'
# heatmap-view --diff: ratios truncated instead of rounded half up.
mutant diff_ratio_truncates viewer/diff_view.c "$vw" \
    's/((unsigned __int128)after \* 200 + before)/((unsigned __int128)after * 200)/'
# heatmap-view --run: Ctrl-C not ignored while the program runs (the viewer dies with it).
mutant run_sigint_not_ignored viewer/run.c '^(e2e_install|viewer_run)$' \
    's/sigaction(SIGINT, \&ignore, \&old_int);/sigaction(SIGINT, NULL, \&old_int);/'
# heatmap-scan: blank and comment lines counted as code (the definition's first to last line).
mutant scan_loc_span scan/scan_tu.c '^(test_scan|test_scan_check)$' \
    's/^    return lines;$/    return toks->count ? toks->items[toks->count - 1].line - toks->items[0].line + 1 + 0 * lines : 0;/'
mutant scan_loc_comments scan/scan_tu.c '^(test_scan|test_scan_check)$' \
    's/if (clang_getTokenKind(toks\[i\]) == CXToken_Comment)/if (0)/'

# Settings (issue 13): the embedded record ignored, or winning over the environment; the last
# record applied instead of the first; the plugin not embedding; heatmap-view's environment winning
# over its flag, its heatmap.yaml ignored; a truncated program read as one without settings.
st='^(test_settings|test_config|test_view_settings|ir_settings|e2e_install|e2e_settings_.*)$'
mutant settings_embedded_ignored runtime/lifecycle.c "$st" \
    's/    const char \*embedded = hm_embedded_settings(&differ);/    const char *embedded = NULL; (void)hm_embedded_settings(\&differ);/'
mutant settings_embedded_over_env include/heatmap/settings.h "$st" \
    's/    if (environment \&\& hm_settings_check(d, environment, false) == HM_SETTING_OK) {/    if (environment \&\& !embedded \&\& hm_settings_check(d, environment, false) == HM_SETTING_OK) {/'
mutant settings_last_record runtime/lifecycle.c "$st" 's/        } else if (!first) {/        } else if (1) {/'
mutant settings_not_emitted plugin/instrument.c "$st" 's/        hm_emit_settings(&st, cfg);/        (void)0;/'
mutant view_env_over_flag viewer/settings.c "$st" 's/        if (hm_cli_given(cli, s->flag)) {/        if (0) {/'
mutant view_file_ignored viewer/settings.c "$st" \
    's/        for (size_t k = 0; k < hm_config_view_count(config); k++) {/        for (size_t k = 0; k < 0; k++) {/'
mutant settings_elf_truncated viewer/program_settings.c "$st" \
    's/    if (check_headers(elf, file_size, out, err, errlen) != 0)/    if (0)/'

cmake --build "$build" -j"$jobs" >/dev/null 2>&1 || true # back to the unmutated tree
echo "mutants: $((total - missed)) of $total caught"
[ "$missed" = 0 ]
