# bash completion for heatmap-view, heatmap-scan and heatmap-build (installed under each name).

_heatmap_view() {
    local cur prev
    COMPREPLY=()
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=${COMP_WORDS[COMP_CWORD - 1]}
    # after --run PROG, complete the program's arguments as files
    local i
    for ((i = 1; i < COMP_CWORD; i++)); do
        if [[ ${COMP_WORDS[i]} == --run ]]; then
            if ((i + 1 == COMP_CWORD)); then
                mapfile -t COMPREPLY < <(compgen -c -- "$cur")
            else
                mapfile -t COMPREPLY < <(compgen -f -- "$cur")
            fi
            return 0
        fi
    done
    case $prev in
    -o | --output)
        mapfile -t COMPREPLY < <(compgen -f -- "$cur")
        return 0 ;;
    esac
    case $cur in
    --mode=*) mapfile -t COMPREPLY < <(compgen -P --mode= -W "bar sparkline table memory" -- "${cur#*=}") ;;
    --format=*) mapfile -t COMPREPLY < <(compgen -P --format= -W "text json csv" -- "${cur#*=}") ;;
    --sort=*)
        mapfile -t COMPREPLY < <(compgen -P --sort= -W "cpu count avg max p95 name self wait mem" -- "${cur#*=}") ;;
    --percentile=*)
        mapfile -t COMPREPLY < <(compgen -P --percentile= -W "p50 p95 p99" -- "${cur#*=}") ;;
    --export=*)
        mapfile -t COMPREPLY < <(compgen -P --export= -W "pprof folded chrome svg" -- "${cur#*=}") ;;
    --top=*) mapfile -t COMPREPLY < <(compgen -P --top= -W "10 25 50 100 all" -- "${cur#*=}") ;;
    --interval=*) mapfile -t COMPREPLY < <(compgen -P --interval= -W "500ms 1s 2s 5s" -- "${cur#*=}") ;;
    --output=*) mapfile -t COMPREPLY < <(compgen -P --output= -f -- "${cur#*=}") ;;
    -*)
        mapfile -t COMPREPLY < <(compgen -W "--mode= --format= --top= --sort= --filter=
            --percentile= --threads --width= --ascii --no-tui --no-color --diff --fail-if=
            --run --export= -o --output= --interval= --show-settings --help --version" -- "$cur")
        [[ ${COMPREPLY[*]} == *= ]] && compopt -o nospace 2>/dev/null ;;
    *)
        # results files: *.json, and directories to descend into
        mapfile -t COMPREPLY < <(compgen -f -X '!*.json' -- "$cur"; compgen -d -- "$cur")
        compopt -o filenames 2>/dev/null ;;
    esac
    return 0
}

_heatmap_scan() {
    local cur prev
    COMPREPLY=()
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=${COMP_WORDS[COMP_CWORD - 1]}
    case $prev in
    -p | --build-dir)
        mapfile -t COMPREPLY < <(compgen -d -- "$cur")
        compopt -o filenames 2>/dev/null
        return 0 ;;
    --format)
        mapfile -t COMPREPLY < <(compgen -W "text json csv" -- "$cur")
        return 0 ;;
    --sort)
        mapfile -t COMPREPLY < <(compgen -W "file name loc statements loops calls complexity
            fanin score" -- "$cur")
        return 0 ;;
    --write | --check)
        mapfile -t COMPREPLY < <(compgen -f -X '!*.y*ml' -- "$cur"; compgen -d -- "$cur")
        compopt -o filenames 2>/dev/null
        return 0 ;;
    -j | --jobs | --max) return 0 ;;
    esac
    if [[ $cur == -* ]]; then
        mapfile -t COMPREPLY < <(compgen -W "-p --build-dir -j --jobs --format --sort --write
            --max --force --check --help --version" -- "$cur")
    else
        mapfile -t COMPREPLY < <(compgen -f -- "$cur")
        compopt -o filenames 2>/dev/null
    fi
    return 0
}

_heatmap_build() {
    local cur prev i
    COMPREPLY=()
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=${COMP_WORDS[COMP_CWORD - 1]}
    # the first word that is not an option (or follows --) starts the build command
    for ((i = 1; i < COMP_CWORD; i++)); do
        case ${COMP_WORDS[i]} in
        --config | --use-cc | --use-c++) ((i++)) ;;
        --) ((i++)); break ;;
        -*) ;;
        *) break ;;
        esac
    done
    if ((i < COMP_CWORD)) && declare -F _command_offset >/dev/null; then
        _command_offset "$i"
        return 0
    fi
    case $prev in
    --config)
        mapfile -t COMPREPLY < <(compgen -f -X '!*.y*ml' -- "$cur"; compgen -d -- "$cur")
        compopt -o filenames 2>/dev/null
        return 0 ;;
    --use-cc | --use-c++)
        mapfile -t COMPREPLY < <(compgen -c -- "$cur")
        return 0 ;;
    esac
    if [[ $cur == -* ]]; then
        mapfile -t COMPREPLY < <(compgen -W "--config --use-cc --use-c++ --help --version --" \
            -- "$cur")
    else
        mapfile -t COMPREPLY < <(compgen -c -- "$cur")
    fi
    return 0
}

complete -F _heatmap_view heatmap-view
complete -F _heatmap_scan heatmap-scan
complete -F _heatmap_build heatmap-build
