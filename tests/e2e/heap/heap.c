/* tests/e2e/heap: allocations with exactly known counts and sizes (issue 12), checked by
 * check_heap.py in the results file, heatmap-view --format=json and the pprof profiles.
 *
 * Every figure below is in check_heap.py's table; the functions print nothing (stdio would
 * allocate its buffer inside them). */
#define _GNU_SOURCE
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <string.h>
#include <unistd.h>

#define NOINLINE __attribute__((noinline))

struct node {
    struct node *next;
    char pad[16]; /* 24 bytes */
};

void cxx_objects(void); /* heap_cxx.cpp: 5 x new (40 bytes), deleted */
void cxx_array(void);   /* new int[25] (100 bytes), delete[] */

static volatile int sink;
/* Every block passes through here, so the compiler cannot elide an allocation it sees freed. */
static void *volatile escape;
#define KEEP(p) (escape = (p))

/* 100 nodes of 24 bytes: 100 objects, 2400 bytes; freed by free_list (counted here). */
NOINLINE struct node *build_list(int n) {
    struct node *head = NULL;
    for (int i = 0; i < n; i++) {
        struct node *x = KEEP(malloc(sizeof *x));
        x->next = head;
        head = x;
    }
    return head;
}

NOINLINE void free_list(struct node *head) {
    while (head) {
        struct node *next = head->next;
        free(head);
        head = next;
    }
}

/* A deliberate leak: 3 blocks of 1000 bytes. */
NOINLINE void leak(void) {
    for (int i = 0; i < 3; i++) {
        char *p = KEEP(malloc(1000));
        p[0] = 1;
        sink += p[0];
    }
}

/* realloc growth 16 -> 32 -> 64 -> 128, then free: 4 allocations (240 bytes), 4 releases; the
 * peak is 128 (each realloc releases the old block before the new one is counted). */
NOINLINE void grow(void) {
    char *p = KEEP(realloc(NULL, 16));
    for (size_t n = 32; n <= 128; n *= 2) {
        p = KEEP(realloc(p, n));
        p[n - 1] = 1;
    }
    if (malloc_usable_size(p) < 128)
        abort();
    free(p);
}

/* calloc(10, 8): 80 bytes, zeroed, freed. */
NOINLINE void zeroed(void) {
    long *p = KEEP(calloc(10, 8));
    for (int i = 0; i < 10; i++)
        if (p[i] != 0)
            abort();
    free(p);
}

/* strdup("hello"): 6 bytes through libc's malloc; freed. */
NOINLINE void dup_string(void) {
    char *s = KEEP(strdup("hello"));
    sink += s[0];
    free(s);
}

/* posix_memalign(64, 100), aligned_alloc(128, 256), memalign(32, 50): 406 bytes, all aligned,
 * freed. Peak: 406. */
NOINLINE void aligned(void) {
    void *a = NULL, *b, *c;
    if (posix_memalign(&a, 64, 100) != 0 || ((size_t)a & 63))
        abort();
    KEEP(a);
    b = KEEP(aligned_alloc(128, 256));
    c = KEEP(memalign(32, 50));
    if (((size_t)b & 127) || ((size_t)c & 31))
        abort();
    memset(a, 1, 100);
    memset(b, 1, 256);
    memset(c, 1, 50);
    free(a);
    free(b);
    free(c);
}

/* 10 blocks of 50 bytes allocated on a thread, freed on main by thread_free. */
static char *blocks[10];
NOINLINE void thread_alloc(void) {
    for (int i = 0; i < 10; i++)
        blocks[i] = KEEP(malloc(50));
}

NOINLINE void thread_free(void) {
    for (int i = 0; i < 10; i++)
        free(blocks[i]);
}

static void *thread_body(void *arg) {
    (void)arg;
    thread_alloc();
    return NULL;
}

NOINLINE void nothing(void) {
    sink++;
}

NOINLINE void run_all(void) {
    nothing();
    free_list(build_list(100));
    leak();
    grow();
    zeroed();
    dup_string();
    aligned();
    cxx_objects();
    cxx_array();
}

/* ---- robustness modes: not exact, the checks ask only for consistency ---- */

static volatile sig_atomic_t handled;
static void on_alarm(int sig) {
    (void)sig;
    void *p = malloc(32); /* undefined behaviour, but programs do it: it must not deadlock */
    free(KEEP(p));
    handled++;
}

/* Allocations in a loop while a timer's handler allocates too. */
NOINLINE void churn_with_signals(void) {
    struct sigaction sa = {0};
    sa.sa_handler = on_alarm;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGALRM, &sa, NULL);
    struct itimerval it = {{0, 200}, {0, 200}};
    setitimer(ITIMER_REAL, &it, NULL);
    for (long i = 0; i < 2000000 && handled < 200; i++)
        free(KEEP(malloc((size_t)(i & 255) + 1)));
    struct itimerval off = {{0, 0}, {0, 0}};
    setitimer(ITIMER_REAL, &off, NULL);
}

/* A fork child frees blocks of its parent and allocates its own. */
NOINLINE int fork_frees(void) {
    struct node *list = build_list(10);
    pid_t pid = fork();
    if (pid == 0) {
        free_list(list);
        leak();
        exit(0); /* writes the child's own results file */
    }
    int status = 0;
    waitpid(pid, &status, 0);
    free_list(list);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "signals") == 0) {
        churn_with_signals();
        return handled > 0 ? 0 : 3;
    }
    if (argc > 1 && strcmp(argv[1], "fork") == 0)
        return fork_frees();
    /* The thread is started outside instrumented code: its stack and TLS are (outside)'s. */
    pthread_t t;
    if (pthread_create(&t, NULL, thread_body, NULL) != 0 || pthread_join(t, NULL) != 0)
        return 1;
    run_all();
    thread_free();
    static const char done[] = "done\n";
    return write(1, done, sizeof done - 1) == (ssize_t)(sizeof done - 1) ? 0 : 1;
}
