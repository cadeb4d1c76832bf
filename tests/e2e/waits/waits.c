/* Programs that wait, for the CPU / wait split (issue 11); run by waits.sh, which checks the
 * results with check_waits.py.
 *
 * usage: waits MODE
 *   sleep    sleeper() sleeps 200 ms (nanosleep)
 *   join     joiner() starts two spinner() threads that each spin 0.3 s of their own CPU clock and
 *            joins them; prints "join_ns=N", the wall time of the joins
 *   mutex    holder() holds a mutex 200 ms; waiter() (another thread) blocks on it meanwhile
 *   poll     poller() polls a pipe that another thread writes 150 ms later
 *   cpu4     4 threads each run burn(): 0.2 s of their own CPU clock
 *   errno    errnos(): return values and errno through the wrappers; cancel_cond() and
 *            cancel_sleep() threads cancelled while blocked; prints "errno ok" when all hold
 *   pool     2 workers in thread_main() do 4 jobs, then wait for more on a condition variable
 *            and never return; main exits without joining them once both wait
 *   tiny N   tiny_loop() makes N calls of tiny() (a few ns each)
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile unsigned long sink;

static uint64_t ns_of(clockid_t clk) {
    struct timespec ts;
    clock_gettime(clk, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Spin until this thread has used `ns` of CPU: the CPU work is exact whatever the load. */
static void spin_cpu(uint64_t ns) {
    uint64_t end = ns_of(CLOCK_THREAD_CPUTIME_ID) + ns;
    while (ns_of(CLOCK_THREAD_CPUTIME_ID) < end)
        sink++;
}

static void sleep_ms(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

__attribute__((noinline)) void sleeper(void) {
    sleep_ms(200);
}

__attribute__((noinline)) void *spinner(void *arg) {
    (void)arg;
    spin_cpu(300000000u);
    return NULL;
}

__attribute__((noinline)) void joiner(void) {
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        pthread_create(&t[i], NULL, spinner, NULL);
    uint64_t begin = ns_of(CLOCK_MONOTONIC);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    printf("join_ns=%llu\n", (unsigned long long)(ns_of(CLOCK_MONOTONIC) - begin));
}

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static volatile int held;

__attribute__((noinline)) void holder(void) {
    pthread_mutex_lock(&lock);
    held = 1;
    sleep_ms(200);
    pthread_mutex_unlock(&lock);
}

__attribute__((noinline)) void *waiter(void *arg) {
    (void)arg;
    while (!held)
        sched_yield();
    pthread_mutex_lock(&lock);
    pthread_mutex_unlock(&lock);
    return NULL;
}

static int pipefd[2];

static void *late_writer(void *arg) {
    (void)arg;
    sleep_ms(150);
    if (write(pipefd[1], "x", 1) != 1)
        abort();
    return NULL;
}

__attribute__((noinline)) void poller(void) {
    struct pollfd p = {pipefd[0], POLLIN, 0};
    poll(&p, 1, 10000);
}

__attribute__((noinline)) void *burn(void *arg) {
    (void)arg;
    spin_cpu(200000000u);
    return NULL;
}

static pthread_cond_t never = PTHREAD_COND_INITIALIZER;
static pthread_mutex_t never_lock = PTHREAD_MUTEX_INITIALIZER;

__attribute__((noinline)) void *cancel_cond(void *arg) {
    (void)arg;
    pthread_mutex_lock(&never_lock);
    pthread_cleanup_push((void (*)(void *))pthread_mutex_unlock, &never_lock);
    for (;;)
        pthread_cond_wait(&never, &never_lock);
    pthread_cleanup_pop(1);
    return NULL;
}

__attribute__((noinline)) void *cancel_sleep(void *arg) {
    (void)arg;
    for (;;)
        sleep(10);
    return NULL;
}

#define EXPECT(c)                                                                                  \
    do {                                                                                           \
        if (!(c)) {                                                                                \
            printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #c);                                    \
            ok = 0;                                                                                \
        }                                                                                          \
    } while (0)

__attribute__((noinline)) int errnos(void) {
    int ok = 1;
    char c;
    errno = 0;
    EXPECT(read(-1, &c, 1) == -1 && errno == EBADF);
    errno = 0;
    EXPECT(write(-1, &c, 1) == -1 && errno == EBADF);
    struct timespec bad = {0, -1};
    EXPECT(nanosleep(&bad, NULL) == -1 && errno == EINVAL);
    EXPECT(clock_nanosleep(CLOCK_MONOTONIC, 0, &bad, NULL) == EINVAL);
    EXPECT(poll(NULL, 0, 0) == 0);
    errno = 1234;
    EXPECT(usleep(1) == 0 && errno == 1234); /* success leaves errno alone */
    pthread_mutexattr_t a;
    pthread_mutexattr_init(&a);
    pthread_mutexattr_settype(&a, PTHREAD_MUTEX_ERRORCHECK);
    pthread_mutex_t m;
    pthread_mutex_init(&m, &a);
    EXPECT(pthread_mutex_lock(&m) == 0);
    EXPECT(pthread_mutex_lock(&m) == EDEADLK);
    EXPECT(pthread_mutex_unlock(&m) == 0);
    pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_t r;
    pthread_mutex_init(&r, &a);
    EXPECT(pthread_mutex_lock(&r) == 0 && pthread_mutex_lock(&r) == 0);
    EXPECT(pthread_mutex_unlock(&r) == 0 && pthread_mutex_unlock(&r) == 0);
    EXPECT(pthread_mutex_unlock(&r) == EPERM);
    pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
    EXPECT(pthread_rwlock_wrlock(&rw) == 0);
    EXPECT(pthread_rwlock_rdlock(&rw) == EDEADLK);
    EXPECT(pthread_rwlock_unlock(&rw) == 0);
    EXPECT(waitpid(-1, NULL, WNOHANG) == -1 && errno == ECHILD);
    pthread_t t1, t2;
    void *res1 = NULL, *res2 = NULL;
    pthread_create(&t1, NULL, cancel_cond, NULL);
    pthread_create(&t2, NULL, cancel_sleep, NULL);
    sleep_ms(50);
    pthread_cancel(t1);
    pthread_cancel(t2);
    EXPECT(pthread_join(t1, &res1) == 0 && res1 == PTHREAD_CANCELED);
    EXPECT(pthread_join(t2, &res2) == 0 && res2 == PTHREAD_CANCELED);
    EXPECT(pthread_join(t1, NULL) != 0 || 1); /* joining twice is undefined: not called */
    return ok;
}

static pthread_cond_t work_ready = PTHREAD_COND_INITIALIZER;
static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static int jobs, idle; /* idle: workers blocked in pthread_cond_wait */

__attribute__((noinline)) void pool_work(void) {
    spin_cpu(20000000u);
}

__attribute__((noinline)) void *thread_main(void *arg) {
    (void)arg;
    for (;;) {
        pthread_mutex_lock(&pool_lock);
        while (jobs == 0) {
            idle++;
            pthread_cond_wait(&work_ready, &pool_lock);
            idle--;
        }
        jobs--;
        pthread_mutex_unlock(&pool_lock);
        pool_work();
    }
    return NULL;
}

__attribute__((noinline)) void tiny(int i) {
    sink += (unsigned long)i;
}

__attribute__((noinline)) void tiny_loop(long n) {
    for (long i = 0; i < n; i++)
        tiny((int)i);
}

int main(int argc, char **argv) {
    const char *mode = argc > 1 ? argv[1] : "";
    if (strcmp(mode, "sleep") == 0) {
        sleeper();
    } else if (strcmp(mode, "join") == 0) {
        joiner();
    } else if (strcmp(mode, "mutex") == 0) {
        pthread_t t;
        pthread_create(&t, NULL, waiter, NULL);
        holder();
        pthread_join(t, NULL);
    } else if (strcmp(mode, "poll") == 0) {
        pthread_t t;
        if (pipe(pipefd) != 0)
            return 1;
        pthread_create(&t, NULL, late_writer, NULL);
        poller();
        pthread_join(t, NULL);
    } else if (strcmp(mode, "cpu4") == 0) {
        pthread_t t[4];
        for (int i = 0; i < 4; i++)
            pthread_create(&t[i], NULL, burn, NULL);
        for (int i = 0; i < 4; i++)
            pthread_join(t[i], NULL);
    } else if (strcmp(mode, "errno") == 0) {
        if (!errnos())
            return 1;
        printf("errno ok\n");
    } else if (strcmp(mode, "pool") == 0) {
        pthread_t t[2];
        for (int i = 0; i < 2; i++)
            pthread_create(&t[i], NULL, thread_main, NULL);
        pthread_mutex_lock(&pool_lock);
        jobs = 4;
        pthread_cond_broadcast(&work_ready);
        pthread_mutex_unlock(&pool_lock);
        for (;;) { /* until the jobs are done and both workers wait for more */
            pthread_mutex_lock(&pool_lock);
            int done = jobs == 0 && idle == 2;
            pthread_mutex_unlock(&pool_lock);
            if (done)
                break;
            sleep_ms(5);
        }
        sleep_ms(50);
    } else if (strcmp(mode, "tiny") == 0) {
        tiny_loop(argc > 2 ? atol(argv[2]) : 10000000);
    } else {
        fprintf(stderr, "usage: waits sleep|join|mutex|poll|cpu4|errno|pool|tiny [N]\n");
        return 2;
    }
    return 0;
}
