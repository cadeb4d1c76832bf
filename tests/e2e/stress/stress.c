/* End-to-end stress test of the runtime (issue 16): threads, fork, signals and longjmp at once.
 *
 * THREADS threads each run ROUNDS rounds of work() and outer -> middle -> inner, where inner
 * longjmps back to outer; every FORK_EVERY rounds a thread forks a child that calls child_work()
 * CHILD_CALLS times and exits. Meanwhile an interval timer sends SIGALRM every 200 us, and the
 * handler calls handler_work() on whichever thread it lands. Every process counts its own calls
 * and writes them to counts.PID.txt ("name=count" lines), so that the results files can be checked
 * for exact counts (stress.sh).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "e2e_signals.h"

#define THREADS 4
#define ROUNDS 200000
#define FORK_EVERY 50000
#define CHILD_CALLS 100

static volatile unsigned long sink;
static _Atomic unsigned long n_work, n_outer, n_middle, n_inner, n_handler, n_child;
static __thread jmp_buf jump;

__attribute__((noinline)) void work(int i) {
    for (int k = 0; k < 20; k++)
        sink += (unsigned long)(i ^ k);
    n_work++;
}

__attribute__((noinline)) void handler_work(void) {
    sink++;
    n_handler++;
}

__attribute__((noinline)) void child_work(int i) {
    sink += (unsigned long)i;
    n_child++;
}

__attribute__((noinline)) void inner(int i) {
    sink += (unsigned long)i;
    n_inner++;
    longjmp(jump, 1);
}

__attribute__((noinline)) void middle(int i) {
    n_middle++;
    inner(i);
    sink += 1; /* never reached */
}

__attribute__((noinline)) void outer(int i) {
    n_outer++;
    if (setjmp(jump) == 0)
        middle(i);
    else
        sink += 2;
}

static void on_alarm(int sig) {
    (void)sig;
    handler_work();
}

static void write_counts(void) {
    char path[64], text[512];
    snprintf(path, sizeof path, "counts.%d.txt", (int)getpid());
    int n = snprintf(text, sizeof text,
                     "work=%lu\nouter=%lu\nmiddle=%lu\ninner=%lu\nhandler_work=%lu\n"
                     "child_work=%lu\n",
                     n_work, n_outer, n_middle, n_inner, n_handler, n_child);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || write(fd, text, (size_t)n) != n)
        _exit(99);
    close(fd);
}

static void child(void) {
    /* Only this thread exists in the child: its counts start from zero. */
    n_work = n_outer = n_middle = n_inner = n_handler = n_child = 0;
    for (int i = 0; i < CHILD_CALLS; i++)
        child_work(i);
    write_counts();
    exit(0);
}

static void *thread_main(void *arg) {
    (void)arg;
    for (int r = 1; r <= ROUNDS; r++) {
        work(r);
        outer(r);
        if (r % FORK_EVERY == 0) {
            pid_t pid = fork();
            if (pid == 0)
                child();
            int status = 0;
            if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
                WEXITSTATUS(status) != 0) {
                fprintf(stderr, "child %d failed (status %d)\n", (int)pid, status);
                exit(1);
            }
        }
    }
    return NULL;
}

int main(void) {
    e2e_on_signal(SIGALRM, on_alarm, SA_RESTART);
    e2e_alarm_every(200);
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++)
        if (pthread_create(&t[i], NULL, thread_main, NULL) != 0)
            return 1;
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGALRM);
    sigprocmask(SIG_BLOCK, &set, NULL); /* no handler runs after the tally */
    e2e_alarm_every(0);
    write_counts();
    printf("parent %d handler calls %lu\n", (int)getpid(), n_handler);
    return 0;
}
