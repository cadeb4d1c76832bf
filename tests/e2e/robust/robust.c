/* Programs that end or unwind in the ways a profiler must survive; run by robust.sh, which knows
 * the exact call counts each mode makes.
 *
 * usage: robust MODE
 *   fork      parent and child each call work() 1000 times (the child after the fork)
 *   pipeout   work() 100 times, then print a line (a pipeline's first process)
 *   pipein    read stdin to its end, then work() 200 times (a pipeline's second process)
 *   longjmp [N]  N (100) rounds of outer -> middle -> inner, inner longjmps back to outer; then
 *             after()
 *   ljloop N  2 threads each run lj_land(N) and lj_plain(N): loops around setjmp, longjmps from
 *             throttled callees and an inlined one; then after(); prints the calls it counted
 *   deep N    recursion N deep (on a thread with a big stack), then after()
 *   signals   work() 200000 times while SIGALRM (every 100 us) runs handler_work(); prints the
 *             number of handler calls
 *   sigterm   work() 5000 times, then kill(getpid(), SIGTERM): the results say signal:SIGTERM
 *   exit3     work() 10 times, then exit(3) from a nested call
 *   raise SIG work() 5000 times, then raise(SIG) (INT, HUP, QUIT, TERM) and wait for it
 *   segv      work() 5000 times, then a write through a null pointer (a real fault)
 *   own       installs its own SIGINT handler (which calls exit(5)), work() 5000 times, then
 *             raise(SIGINT)
 *   fib N     fib(N) by naive recursion (2 fib(N+1) - 1 calls), then after()
 *   threads T N  T threads call work() N times each; then after() on the main thread
 *   waiter N  waiter() calls tiny() N times; tiny()'s last call sleeps 20 ms (nanosleep), the
 *             others are a few ns
 *   exitsig N handler_work() 1024 times (enough to throttle it with HEATMAP_THROTTLE_CALLS=256),
 *             then N threads, one after another: each calls work() once and sets a key of the
 *             program's whose destructor calls dtor_work(); the main thread sends it SIGUSR1
 *             without a pause until it has ended (pthread_tryjoin_np), so that handlers land all
 *             through its exit, and the handler calls handler_work(); then after(); prints the
 *             number of handler calls (the 1024 not included)
 *   mainexit  the main thread ends by pthread_exit; a thread it started joins it, calls work() 100
 *             times and ends last, so glibc calls exit() on it: an atexit handler raises SIGUSR1
 *             there and prints whether its handler ran
 */
#define _GNU_SOURCE /* pthread_tryjoin_np */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "e2e_signals.h"

static volatile unsigned long sink;

__attribute__((noinline)) void work(int i) {
    for (int k = 0; k < 20; k++)
        sink += (unsigned long)(i ^ k);
}

__attribute__((noinline)) void after(void) {
    for (int k = 0; k < 100; k++)
        sink += (unsigned long)k;
}

/* ---- longjmp ---- */
static jmp_buf jump;

__attribute__((noinline)) void inner(int i) {
    sink += (unsigned long)i;
    longjmp(jump, 1);
}

__attribute__((noinline)) void middle(int i) {
    inner(i);
    sink += 1; /* never reached */
}

__attribute__((noinline)) void outer(int i) {
    if (setjmp(jump) == 0)
        middle(i);
    else
        sink += 2;
}

/* ---- longjmp through throttled and inlined frames, into loops (issue 14) ----
 * lj_land calls setjmp (so it is never throttled) in a loop, and after each landing calls again
 * from the same stack address; lj_plain, not instrumented (left out of heatmap.yaml), does the
 * same. lj_inl, instrumented and then inlined into lj_land, enters from lj_land's own stack
 * address. lj_mid and lj_leaf are tiny: throttled (count-only) after their first calls; lj_leaf
 * longjmps back for every third i. Each thread counts the calls itself (lj_count). */
static __thread jmp_buf lj_env;
static _Atomic unsigned long lj_n_land, lj_n_inl, lj_n_mid, lj_n_leaf;

__attribute__((noinline)) void lj_leaf(int i) {
    lj_n_leaf++;
    sink += (unsigned long)i;
    if (i % 3 == 0)
        longjmp(lj_env, 1);
}

__attribute__((noinline)) void lj_mid(int i) {
    lj_n_mid++;
    lj_leaf(i);
    lj_leaf(i + 1);
}

static inline __attribute__((always_inline)) void lj_inl(int i) {
    lj_n_inl++;
    lj_mid(i);
    sink += 1;
}

__attribute__((noinline)) void lj_land(int n) {
    lj_n_land++;
    for (volatile int i = 0; i < n; i++)
        if (setjmp(lj_env) == 0)
            lj_inl(i);
}

__attribute__((noinline)) void lj_plain(int n) {
    for (volatile int i = 0; i < n; i++)
        if (setjmp(lj_env) == 0)
            lj_mid(i);
}

static void *lj_thread(void *arg) {
    int n = *(int *)arg;
    lj_land(n);
    lj_plain(n);
    return NULL;
}

/* ---- deep recursion ---- */
__attribute__((noinline)) unsigned long recurse(unsigned long n) {
    if (n <= 1)
        return 1;
    unsigned long r = recurse(n - 1) + 1;
    sink += r;
    return r;
}

static void *deep_thread(void *arg) {
    unsigned long n = *(unsigned long *)arg;
    if (recurse(n) != n)
        abort();
    return NULL;
}

__attribute__((noinline)) unsigned long fib(unsigned long n) {
    return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

__attribute__((noinline)) void tiny(unsigned long i, unsigned long last) {
    if (i == last) {
        struct timespec ts = {0, 20 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    sink += i;
}

__attribute__((noinline)) void waiter(unsigned long n) {
    for (unsigned long i = 0; i < n; i++)
        tiny(i, n - 1);
}

static unsigned long thread_calls;

static void *work_thread(void *arg) {
    (void)arg;
    for (unsigned long i = 0; i < thread_calls; i++)
        work((int)i);
    return NULL;
}

/* ---- signals ---- */
static volatile sig_atomic_t handler_calls;

__attribute__((noinline)) void handler_work(void) {
    for (int k = 0; k < 5; k++)
        sink += (unsigned long)k;
}

static void on_alarm(int sig) {
    (void)sig;
    handler_work();
    handler_calls++;
}

static void on_own_sigint(int sig) {
    (void)sig;
    exit(5); /* the program's choice: its atexit handlers, the runtime's among them, run */
}

/* ---- signals on exiting threads ---- */
static pthread_key_t program_key;

__attribute__((noinline)) void dtor_work(void) {
    for (int k = 0; k < 5; k++)
        sink += (unsigned long)k;
}

static void program_key_destructor(void *value) {
    (void)value;
    dtor_work(); /* a key made after the runtime's: its destructor runs after the runtime's */
}

static void *exiting_thread(void *arg) {
    work((int)(long)arg);
    pthread_setspecific(program_key, arg);
    return NULL;
}

/* ---- the main thread ends first ---- */
static pthread_t main_thread;
static volatile sig_atomic_t usr1_seen;

static void on_usr1_seen(int sig) {
    (void)sig;
    usr1_seen = 1;
}

static void raise_at_exit(void) {
    raise(SIGUSR1); /* delivered before raise() returns, unless the thread blocks it */
    printf("atexit: handler %s\n", usr1_seen ? "ran" : "did not run");
    fflush(stdout);
}

static void *last_thread(void *arg) {
    (void)arg;
    if (pthread_join(main_thread, NULL) != 0) /* main's key destructors have run */
        _exit(1);
    for (int i = 0; i < 100; i++)
        work(i);
    return NULL; /* the last thread: glibc calls exit(0) here */
}

static volatile int *volatile null_pointer;

__attribute__((noinline)) void nested_exit(int code) {
    exit(code);
}

int main(int argc, char **argv) {
    const char *mode = argc > 1 ? argv[1] : "";
    if (strcmp(mode, "fork") == 0) {
        pid_t pid = fork();
        if (pid < 0)
            return 1;
        for (int i = 0; i < 1000; i++)
            work(i);
        if (pid == 0)
            return 0;
        int status;
        waitpid(pid, &status, 0);
        printf("child %d status %d\n", (int)pid, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
        return 0;
    }
    if (strcmp(mode, "pipeout") == 0 || strcmp(mode, "pipein") == 0) {
        /* Two processes of one pipeline, started together: both write heatmap.json. */
        int n = mode[4] == 'o' ? 100 : 200;
        if (n == 200) { /* the reader ends after the writer */
            char buf[256];
            while (fgets(buf, sizeof buf, stdin))
                ;
        }
        for (int i = 0; i < n; i++)
            work(i);
        if (n == 100) {
            usleep(100000); /* both have started when the first one writes */
            printf("done\n");
        }
        return 0;
    }
    if (strcmp(mode, "longjmp") == 0) {
        int rounds = argc > 2 ? atoi(argv[2]) : 100;
        for (int i = 0; i < rounds; i++)
            outer(i);
        after();
        return 0;
    }
    if (strcmp(mode, "ljloop") == 0 && argc > 2) {
        int n = atoi(argv[2]);
        pthread_t th[2];
        for (int i = 0; i < 2; i++)
            if (pthread_create(&th[i], NULL, lj_thread, &n) != 0)
                return 1;
        for (int i = 0; i < 2; i++)
            pthread_join(th[i], NULL);
        after();
        printf("lj_land=%lu lj_inl=%lu lj_mid=%lu lj_leaf=%lu\n", lj_n_land, lj_n_inl, lj_n_mid,
               lj_n_leaf);
        return 0;
    }
    if (strcmp(mode, "deep") == 0) {
        unsigned long n = argc > 2 ? strtoul(argv[2], NULL, 10) : 1000000;
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setstacksize(&attr, (size_t)n * 128 + (1u << 20));
        pthread_t th;
        if (pthread_create(&th, &attr, deep_thread, &n) != 0)
            return 1;
        pthread_join(th, NULL);
        after();
        return 0;
    }
    if (strcmp(mode, "signals") == 0) {
        e2e_on_signal(SIGALRM, on_alarm, SA_RESTART);
        e2e_alarm_every(100);
        for (int i = 0; i < 200000; i++)
            work(i);
        e2e_alarm_every(0);
        printf("handler_calls=%d\n", (int)handler_calls);
        return 0;
    }
    if (strcmp(mode, "sigterm") == 0) {
        for (int i = 0; i < 5000; i++)
            work(i);
        kill(getpid(), SIGTERM); /* delivered before kill() returns: surviving it is a bug */
        printf("survived SIGTERM\n");
        return 0;
    }
    if (strcmp(mode, "raise") == 0 || strcmp(mode, "segv") == 0 || strcmp(mode, "own") == 0) {
        static const struct {
            const char *name;
            int sig;
        } sigs[] = {{"INT", SIGINT}, {"HUP", SIGHUP}, {"QUIT", SIGQUIT}, {"TERM", SIGTERM}};
        int sig = 0;
        for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++)
            if (mode[0] == 'r' && argc > 2 && strcmp(argv[2], sigs[i].name) == 0)
                sig = sigs[i].sig;
        if (mode[0] == 'r' && !sig)
            return 2;
        if (mode[0] == 'o') {
            e2e_on_signal(SIGINT, on_own_sigint, 0);
            sig = SIGINT;
        }
        for (int i = 0; i < 5000; i++)
            work(i);
        if (mode[0] == 's')
            *null_pointer = 1;
        raise(sig); /* delivered before raise() returns: surviving it is a bug */
        printf("survived SIG%s\n", argc > 2 ? argv[2] : "INT");
        return 0;
    }
    if (strcmp(mode, "exit3") == 0) {
        for (int i = 0; i < 10; i++)
            work(i);
        nested_exit(3);
    }
    if (strcmp(mode, "fib") == 0 && argc > 2) {
        printf("fib=%lu\n", fib(strtoul(argv[2], NULL, 10)));
        after();
        return 0;
    }
    if (strcmp(mode, "threads") == 0 && argc > 3) {
        int n = atoi(argv[2]);
        thread_calls = strtoul(argv[3], NULL, 10);
        pthread_t th[64];
        for (int i = 0; i < n && i < 64; i++)
            if (pthread_create(&th[i], NULL, work_thread, NULL) != 0)
                return 1;
        for (int i = 0; i < n && i < 64; i++)
            pthread_join(th[i], NULL);
        after();
        return 0;
    }
    if (strcmp(mode, "waiter") == 0 && argc > 2) {
        waiter(strtoul(argv[2], NULL, 10));
        return 0;
    }
    if (strcmp(mode, "exitsig") == 0 && argc > 2) {
        int n = atoi(argv[2]);
        e2e_on_signal(SIGUSR1, on_alarm, SA_RESTART);
        if (pthread_key_create(&program_key, program_key_destructor) != 0)
            return 1;
        for (int i = 0; i < 1024; i++)
            handler_work();
        for (int i = 0; i < n; i++) {
            pthread_t th;
            if (pthread_create(&th, NULL, exiting_thread, (void *)(long)(i + 1)) != 0)
                return 1;
            /* Until it is gone: glibc sends nothing once the thread has begun its last steps
             * (pthread_kill on an exited, unjoined thread is valid since glibc 2.34). */
            int rc;
            while ((rc = pthread_tryjoin_np(th, NULL)) == EBUSY)
                pthread_kill(th, SIGUSR1);
            if (rc != 0)
                return 1;
        }
        after();
        printf("handler_calls=%d\n", (int)handler_calls);
        return 0;
    }
    if (strcmp(mode, "mainexit") == 0) {
        e2e_on_signal(SIGUSR1, on_usr1_seen, 0);
        atexit(raise_at_exit);
        main_thread = pthread_self();
        pthread_t th;
        if (pthread_create(&th, NULL, last_thread, NULL) != 0)
            return 1;
        pthread_exit(NULL);
    }
    fprintf(stderr, "usage: robust fork|longjmp [N]|ljloop N|deep [N]|signals|sigterm|exit3|"
                    "raise SIG|segv|own|fib N|threads T N|waiter N|exitsig N|mainexit\n");
    return 2;
}
