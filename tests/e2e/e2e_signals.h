/* Signal set-up shared by the end-to-end programs that interrupt instrumented code (robust.c,
 * stress.c): a handler for a signal, and SIGALRM every few microseconds.
 *
 * e2e_workdir copies this header beside the program (name it among its FILEs as
 * ../e2e_signals.h). Its functions are not in any test's heatmap.yaml allowlist, so they are not
 * instrumented and no count depends on them. */
#ifndef HM_E2E_SIGNALS_H
#define HM_E2E_SIGNALS_H

#include <signal.h>
#include <string.h>
#include <sys/time.h>

/* `handler` for `sig`, with sa_flags `flags` (SA_RESTART: interrupted system calls go on). */
static inline void e2e_on_signal(int sig, void (*handler)(int), int flags) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = handler;
    sa.sa_flags = flags;
    sigaction(sig, &sa, NULL);
}

/* SIGALRM every `usec` microseconds of real time (1..999999), or none for 0. */
static inline void e2e_alarm_every(long usec) {
    struct itimerval it = {{0, usec}, {0, usec}};
    setitimer(ITIMER_REAL, &it, NULL);
}

#endif
