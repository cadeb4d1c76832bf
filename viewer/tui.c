/* The interactive view (ncursesw): hm_tui_run, terminal setup and teardown, and the key table.
 *
 * Design (after htop, ncdu and tig): the model (model.c) holds everything a view shows, sorted and
 * filtered, and knows nothing of ncurses; this file turns keys into model calls through one table
 * (`commands`), which also produces the help pane, and redraws the whole screen after each key
 * (tui_draw.c for the list, tui_panes.c for panes and the prompt).
 *
 * Before taking over the terminal it checks that the terminal can host the view (TERM known and
 * able to move the cursor, at least TUI_MIN_COLS x TUI_MIN_LINES, a terminal to read keys from) and
 * declines with a reason otherwise, so that main() prints the static text instead. The locale is
 * taken from the environment for the duration of the session (wide characters need LC_CTYPE) with
 * LC_NUMERIC kept at "C", and restored on return.
 */
#include "tui.h"

#include "tui_internal.h"

#include <curses.h>
#include <limits.h>
#include <locale.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <term.h>
#include <unistd.h>
#include <wchar.h>

#define KEY_ESC 27
#define KEY_CTRL(c) ((c)&0x1f)

typedef enum tui_action {
    ACT_UP = 0,
    ACT_DOWN,
    ACT_PAGE_UP,
    ACT_PAGE_DOWN,
    ACT_HOME,
    ACT_END,
    ACT_MODE_BAR,
    ACT_MODE_SPARKLINE,
    ACT_MODE_TABLE,
    ACT_MODE_MEMORY,
    ACT_SORT,
    ACT_SORT_BACK,
    ACT_ALL,
    ACT_PERCENTILE,
    ACT_FILTER,
    ACT_DETAIL,
    ACT_THREADS,
    ACT_HELP,
    ACT_BACK, /* Esc: close the pane, else quit */
    ACT_QUIT,
    ACT_REDRAW,
} tui_action;

/* Every binding: the keys (up to 4, 0-terminated), the label the help shows (UTF-8 and ASCII)
 * and what it does. The help pane lists the rows in this order. */
static const struct tui_command {
    tui_action action;
    int keys[4];
    const char *label, *ascii_label, *what;
} commands[] = {
    {ACT_UP, {KEY_UP, 'k'}, "\xE2\x86\x91 k", "Up k", "move the selection up"},
    {ACT_DOWN, {KEY_DOWN, 'j'}, "\xE2\x86\x93 j", "Down j", "move the selection down"},
    {ACT_PAGE_UP, {KEY_PPAGE}, "PgUp", NULL, "one page up (in a pane: scroll it)"},
    {ACT_PAGE_DOWN, {KEY_NPAGE, ' '}, "PgDn Space", NULL, "one page down (in a pane: scroll it)"},
    {ACT_HOME, {KEY_HOME, 'g'}, "Home g", NULL, "first function"},
    {ACT_END, {KEY_END, 'G'}, "End G", NULL, "last function"},
    {ACT_MODE_BAR,
     {'1'},
     "1",
     NULL,
     "bar chart: top 25, bar = CPU time (self time for an older runtime's results)"},
    {ACT_MODE_SPARKLINE, {'2'}, "2", NULL, "sparkline: height = avg self-time, log scale"},
    {ACT_MODE_TABLE, {'3'}, "3", NULL, "table: top 50, all columns"},
    {ACT_MODE_MEMORY,
     {'4'},
     "4",
     NULL,
     "memory: allocated bytes, allocations and bytes in use (leaks) per function"},
    {ACT_SORT,
     {'s'},
     "s",
     NULL,
     "sort by: cpu, count, avg, max, p95, name, self, wait, mem (avg, max, p95: wall self-time "
     "per call; mem: allocated bytes)"},
    {ACT_SORT_BACK, {'S'}, "S", NULL, "sort by the previous key"},
    {ACT_ALL, {'a'}, "a", NULL, "all functions, or back to the mode's top 25/50"},
    {ACT_PERCENTILE, {'p'}, "p", NULL, "percentile column: P95, P50, P99"},
    {ACT_FILTER, {'/'}, "/", NULL, "filter by name (text or glob; lowercase ignores case)"},
    {ACT_DETAIL, {'\n', '\r', KEY_ENTER}, "Enter", NULL, "details of the selected function"},
    {ACT_THREADS, {'t'}, "t", NULL, "threads of the run"},
    {ACT_HELP, {'?', KEY_F(1)}, "?", NULL, "this help"},
    {ACT_BACK, {KEY_ESC}, "Esc", NULL, "close the pane, or quit"},
    {ACT_QUIT, {'q', 'Q'}, "q", NULL, "quit"},
    {ACT_REDRAW, {KEY_CTRL('l')}, "Ctrl-L", NULL, "redraw the screen"},
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

size_t tui_help_count(void) {
    return NCOMMANDS;
}

void tui_help_line(const hm_tui *t, size_t i, const char **keys, const char **what) {
    const struct tui_command *c = &commands[i < NCOMMANDS ? i : 0];
    *keys = !t->g->utf8 && c->ascii_label ? c->ascii_label : c->label;
    *what = c->what;
}

/* The action bound to key, or -1. */
static int lookup(int key) {
    for (size_t i = 0; i < NCOMMANDS; i++)
        for (int k = 0; k < 4 && commands[i].keys[k] != 0; k++)
            if (commands[i].keys[k] == key)
                return (int)commands[i].action;
    return -1;
}

static void toggle_pane(hm_tui *t, tui_pane pane) {
    t->pane = t->pane == pane ? TUI_PANE_NONE : pane;
    t->pane_scroll = 0;
}

/* Panes other than the detail scroll with the movement keys; the detail follows the selection. */
static bool scrolls_pane(const hm_tui *t) {
    return t->pane == TUI_PANE_THREADS || t->pane == TUI_PANE_HELP;
}

static void scroll_pane(hm_tui *t, long delta) {
    if (delta < 0)
        t->pane_scroll = (size_t)-delta > t->pane_scroll ? 0 : t->pane_scroll - (size_t)-delta;
    else
        t->pane_scroll += (size_t)delta; /* clamped when drawn */
}

static void move_or_scroll(hm_tui *t, long delta) {
    if (scrolls_pane(t)) {
        scroll_pane(t, delta);
        return;
    }
    hm_model_move(t->m, delta);
    t->pane_scroll = 0;
}

/* PgUp/PgDn page through any open pane (a long detail too), else through the list. */
static void page_pane_or_list(hm_tui *t, long delta) {
    if (t->pane != TUI_PANE_NONE)
        scroll_pane(t, delta);
    else
        hm_model_move(t->m, delta);
}

/* Apply one action; returns false when the view should end. */
static bool act(hm_tui *t, tui_action a) {
    hm_model *m = t->m;
    long page = t->list_rows > 1 ? (long)t->list_rows - 1 : 1;
    switch (a) {
    case ACT_UP:
        move_or_scroll(t, -1);
        break;
    case ACT_DOWN:
        move_or_scroll(t, 1);
        break;
    case ACT_PAGE_UP:
        page_pane_or_list(t, -page);
        break;
    case ACT_PAGE_DOWN:
        page_pane_or_list(t, page);
        break;
    case ACT_HOME:
        if (scrolls_pane(t))
            t->pane_scroll = 0;
        else
            hm_model_home(m);
        break;
    case ACT_END:
        if (scrolls_pane(t))
            t->pane_scroll = SIZE_MAX / 2;
        else
            hm_model_end(m);
        break;
    case ACT_MODE_BAR:
    case ACT_MODE_SPARKLINE:
    case ACT_MODE_TABLE:
    case ACT_MODE_MEMORY:
        hm_model_set_mode(m, (hm_view_mode)(a - ACT_MODE_BAR));
        break;
    case ACT_SORT:
        hm_model_cycle_sort(m);
        break;
    case ACT_SORT_BACK:
        hm_model_cycle_sort_back(m);
        break;
    case ACT_ALL:
        hm_model_set_top(m, m->top == HM_TOP_ALL ? t->initial_top : HM_TOP_ALL);
        break;
    case ACT_PERCENTILE:
        hm_model_cycle_pct(m);
        break;
    case ACT_FILTER:
        t->prompt = true;
        snprintf(t->saved, sizeof t->saved, "%s", m->filter);
        snprintf(t->edit, sizeof t->edit, "%s", m->filter);
        t->saved_function = m->nrows ? m->rows[m->selected] : SIZE_MAX;
        curs_set(1);
        break;
    case ACT_DETAIL:
        if (m->nrows > 0 || t->pane == TUI_PANE_DETAIL)
            toggle_pane(t, TUI_PANE_DETAIL);
        break;
    case ACT_THREADS:
        toggle_pane(t, TUI_PANE_THREADS);
        break;
    case ACT_HELP:
        toggle_pane(t, TUI_PANE_HELP);
        break;
    case ACT_BACK:
        if (t->pane == TUI_PANE_NONE)
            return false;
        t->pane = TUI_PANE_NONE;
        break;
    case ACT_QUIT:
        return false;
    case ACT_REDRAW:
        clearok(curscr, TRUE);
        break;
    }
    return true;
}

/* Remove the last UTF-8 character of s. */
static void drop_last_char(char *s) {
    size_t n = strlen(s);
    while (n > 0 && ((unsigned char)s[n - 1] & 0xC0) == 0x80)
        n--;
    if (n > 0)
        n--;
    s[n] = '\0';
}

static void close_prompt(hm_tui *t) {
    t->prompt = false;
    curs_set(0);
}

/* A key while the filter prompt is open: edit the text, filtering as it is typed. */
static void prompt_key(hm_tui *t, bool code, wint_t ch) {
    if (!code && ch == KEY_ESC) {
        hm_model_set_filter(t->m, t->saved);
        for (size_t i = 0; i < t->m->nrows; i++)
            if (t->m->rows[i] == t->saved_function)
                t->m->selected = i;
        close_prompt(t);
        return;
    }
    if ((!code && (ch == '\n' || ch == '\r')) || (code && ch == KEY_ENTER)) {
        close_prompt(t);
        return;
    }
    if (code && (ch == KEY_UP || ch == KEY_DOWN)) {
        hm_model_move(t->m, ch == KEY_UP ? -1 : 1); /* pick among the matches while typing */
        return;
    }
    if ((code && ch == KEY_BACKSPACE) || (!code && (ch == 127 || ch == 8))) {
        drop_last_char(t->edit);
    } else if (!code && ch == KEY_CTRL('u')) {
        t->edit[0] = '\0';
    } else if (!code && ch >= ' ' && ch != 127) {
        char mb[MB_LEN_MAX + 1];
        mbstate_t st;
        memset(&st, 0, sizeof st);
        size_t n = wcrtomb(mb, (wchar_t)ch, &st);
        if (n == (size_t)-1 || strlen(t->edit) + n >= sizeof t->edit)
            return;
        mb[n] = '\0';
        strcat(t->edit, mb);
    } else {
        return;
    }
    hm_model_set_filter(t->m, t->edit);
}

static volatile sig_atomic_t stop_signal; /* SIGINT or SIGTERM received, else 0 */

static void on_stop_signal(int sig) {
    stop_signal = sig;
}

/* Live mode: how often the screen is drawn again between reads, so that the age of the data on
 * the status line moves on. */
#define LIVE_TICK_MS 250

/* Show the live view's new results: the model is rebuilt on them with the user's state (mode,
 * sort, filter, selection by name, scroll); the detail pane's callers are computed again and the
 * layout is laid out again. The old results are freed only once nothing points at them. */
static void live_take(hm_tui *t) {
    const hm_results *next = hm_live_next_results(t->live);
    const hm_results *old = t->m->results;
    const hm_function_stats *saved =
        t->saved_function < old->nfunctions ? &old->functions[t->saved_function] : NULL;
    if (hm_model_replace_results(t->m, next) != 0) {
        hm_live_accept(t->live, false);
        return;
    }
    t->saved_function = hm_model_index_of(t->m, saved);
    hm_call_summary_free(&t->calls);
    t->calls_of = NULL;
    t->layout_valid = false;
    t->paths = hm_live_next_paths(t->live);
    hm_live_accept(t->live, true);
}

/* Live mode: read again when due. A key that arrives meanwhile cancels the read; it is tried
 * again at the next wake-up. */
static void live_tick(hm_tui *t) {
    uint64_t now = hm_live_now_ms();
    if (hm_live_due_ms(t->live, now) > 0)
        return;
    if (hm_live_refresh(t->live, t->input_fd, now) == HM_LIVE_UPDATED)
        live_take(t);
}

/* How long to wait for a key: forever for a file; in live mode until the next read or tick. */
static int key_wait_ms(const hm_tui *t) {
    if (t->live == NULL)
        return -1;
    uint64_t due = hm_live_due_ms(t->live, hm_live_now_ms());
    /* Never 0: after a read cancelled by a key that is not there (a hung-up terminal reads as
     * always ready) the loop must not spin; the wait then ends early and counts as an error. */
    return (int)(due < 10 ? 10 : due < LIVE_TICK_MS ? due : LIVE_TICK_MS);
}

/* The session: draw, read a key, act, until quit (or a stop signal). In live mode the read times
 * out (ncurses' timeout: the process sleeps in poll) to read the results again and to redraw. */
static void loop(hm_tui *t) {
    unsigned errors = 0;
    for (;;) {
        tui_draw(t);
        int wait = key_wait_ms(t);
        timeout(wait);
        uint64_t before = t->live ? hm_live_now_ms() : 0;
        wint_t ch;
        int r = get_wch(&ch);
        if (stop_signal != 0)
            return;
        if (r == ERR) {
            /* In live mode the wait ran out: time to read again when due, and to draw. Only
             * here: ncurses then holds no key read ahead (after an Esc it reads the next key to
             * tell a sequence), which a read could otherwise keep waiting behind it. */
            if (wait >= 0 && hm_live_now_ms() - before + 5 >= (uint64_t)wait) {
                errors = 0;
                live_tick(t);
                continue;
            }
            /* A signal interrupted the read, or the input is gone (end of file on a hung-up
             * terminal): only the latter repeats, and then there is no one left to quit. */
            if (++errors > 1000)
                return;
            continue;
        }
        errors = 0;
        bool code = r == KEY_CODE_YES;
        if (code && ch == KEY_RESIZE)
            continue; /* LINES and COLS are already updated; the next frame follows them */
        if (t->prompt) {
            prompt_key(t, code, ch);
            continue;
        }
        if (!code && ch > 0x7f)
            continue;
        bool too_small = COLS < TUI_MIN_COLS || LINES < TUI_MIN_LINES;
        int a = lookup((int)ch);
        if (too_small && a != ACT_QUIT && a != ACT_BACK)
            continue;
        if (a >= 0 && !act(t, (tui_action)a))
            return;
    }
}

/* ---- Setup ----------------------------------------------------------------------------------- */

/* Write the reason the terminal cannot host the view into why; returns -1. */
__attribute__((format(printf, 3, 4))) static int decline(char *why, size_t whylen, const char *fmt,
                                                         ...) {
    if (whylen > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(why, whylen, fmt, ap);
        va_end(ap);
    }
    return -1;
}

static bool env_set(const char *name) {
    const char *v = getenv(name);
    return v != NULL && v[0] != '\0';
}

/* Check the terminal described by TERM; fills why and returns -1 when it cannot host the view. */
static int check_terminal(char *why, size_t whylen) {
    const char *term = getenv("TERM");
    if (term == NULL || term[0] == '\0')
        return decline(why, whylen, "TERM is not set");
    int err = 0;
    if (setupterm(NULL, STDOUT_FILENO, &err) != OK)
        return decline(why, whylen, "unknown terminal type '%s'", term);
    const char *cup = tigetstr("cup");
    bool can_move = cup != NULL && cup != (char *)-1;
    int nlines = tigetnum("lines"), ncols = tigetnum("cols");
    del_curterm(cur_term);
    if (!can_move)
        return decline(why, whylen, "terminal '%s' cannot move the cursor", term);
    struct winsize ws;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 && ws.ws_row > 0) {
        ncols = ws.ws_col;
        nlines = ws.ws_row;
    }
    if (ncols < TUI_MIN_COLS || nlines < TUI_MIN_LINES) {
        return decline(why, whylen, "terminal is %dx%d; the interactive view needs at least %dx%d",
                       ncols, nlines, TUI_MIN_COLS, TUI_MIN_LINES);
    }
    return 0;
}

/* The colour level; *background is the terminal's own (-1) when it lets us keep it, else black. */
static tui_colors pick_colors(const hm_tui_opts *o, short *background) {
    const char *term = getenv("TERM");
    if (o->no_color || env_set("NO_COLOR") || term == NULL || strcmp(term, "dumb") == 0 ||
        !has_colors())
        return TUI_COLORS_NONE;
    if (start_color() != OK)
        return TUI_COLORS_NONE;
    *background = use_default_colors() == OK ? -1 : COLOR_BLACK;
    if (COLORS >= 256 && COLOR_PAIRS >= 32)
        return TUI_COLORS_256;
    return COLORS >= 8 && COLOR_PAIRS >= 32 ? TUI_COLORS_8 : TUI_COLORS_NONE;
}

static int run_session(hm_model *m, const hm_tui_opts *o, char *why, size_t whylen) {
    if (check_terminal(why, whylen) != 0)
        return -1;
    FILE *tty = NULL, *in = stdin;
    if (!isatty(STDIN_FILENO)) {
        /* Results came on stdin ("-"): read keys from the terminal itself. */
        tty = fopen("/dev/tty", "r");
        if (tty == NULL)
            return decline(why, whylen, "no terminal to read keys from");
        in = tty;
    }
    /* Ctrl-C quits like q (ncurses' own handler would exit(1) from inside the library); SIGTERM
     * ends the view, restores the terminal and is raised again below. No SA_RESTART: the signal
     * interrupts the read so the loop sees it. Installed before newterm, which then keeps them. */
    struct sigaction stop = {.sa_handler = on_stop_signal}, old_int, old_term;
    sigemptyset(&stop.sa_mask);
    stop_signal = 0;
    sigaction(SIGINT, &stop, &old_int);
    sigaction(SIGTERM, &stop, &old_term);
    SCREEN *screen = newterm(NULL, stdout, in);
    if (screen == NULL) {
        sigaction(SIGINT, &old_int, NULL);
        sigaction(SIGTERM, &old_term, NULL);
        if (tty != NULL)
            fclose(tty);
        return decline(why, whylen, "cannot initialise the terminal '%s'", getenv("TERM"));
    }
    set_term(screen);
    cbreak();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    set_escdelay(25);
    curs_set(0);

    hm_tui t = {.m = m,
                .g = hm_glyphs_pick(o->ascii),
                .paths = o->paths,
                .live = o->live,
                .input_fd = fileno(in)};
    t.initial_top = m->top == HM_TOP_ALL ? HM_TOP_MODE : m->top;
    t.crt.background = -1;
    t.crt.colors = pick_colors(o, &t.crt.background);
    tui_colors_init(&t.crt);
    if (o->threads)
        t.pane = TUI_PANE_THREADS;
    loop(&t);
    tui_panes_free(&t);

    curs_set(1);
    endwin();
    delscreen(screen);
    if (tty != NULL)
        fclose(tty);
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    if (stop_signal == SIGTERM)
        raise(SIGTERM);
    return 0;
}

int hm_tui_run(hm_model *m, const hm_tui_opts *o, char *why, size_t whylen) {
    if (whylen > 0)
        why[0] = '\0';
    const char *current = setlocale(LC_ALL, NULL);
    char *saved = current ? strdup(current) : NULL;
    setlocale(LC_ALL, "");
    setlocale(LC_NUMERIC, "C");
    int rc = run_session(m, o, why, whylen);
    if (saved != NULL) {
        setlocale(LC_ALL, saved);
        free(saved);
    }
    return rc;
}
