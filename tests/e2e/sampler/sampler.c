/* Programs for the CPU sampler's end-to-end test (sampler.sh runs them with
 * HEATMAP_PROFILE_TYPE=cpu and checks the results' cpu_profile with check_cpu.py).
 *
 * usage: sampler MODE
 *   cpu      run() calls hot() and cold() with 3:1 CPU time (2 s in all)
 *   sleep    sleeper() sleeps on one thread while burn() runs on the main thread
 *   sigprof  the program's own SIGPROF handler: 1000 raise(SIGPROF), then setitimer(ITIMER_PROF)
 *            every 10 ms of CPU while hot() runs; prints the handler's calls in each part
 *   threads  two threads made with pthread_create run only spin() (not instrumented)
 *   eintr    blocking calls (read on a pipe, poll, nanosleep, select, a condition wait with a
 *            timeout) in a loop beside a CPU-bound thread; prints the EINTRs each call saw
 *   fork     the child runs hot(), the parent cold(); each prints its own CPU time
 *   sigterm  hot() for 300 ms, then SIGTERM to itself
 * Each mode prints "cpu_ns=N" (CLOCK_PROCESS_CPUTIME_ID at the end).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile unsigned long sink;

static unsigned long long cpu_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (unsigned long long)ts.tv_sec * 1000000000ull + (unsigned long long)ts.tv_nsec;
}

static unsigned long long thread_cpu_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (unsigned long long)ts.tv_sec * 1000000000ull + (unsigned long long)ts.tv_nsec;
}

/* Burn `ms` milliseconds of this thread's CPU time. */
static void burn_ms(unsigned ms) {
    unsigned long long end = thread_cpu_ns() + ms * 1000000ull;
    while (thread_cpu_ns() < end)
        for (int k = 0; k < 50000; k++)
            sink += (unsigned long)k * 7;
}

__attribute__((noinline)) void hot(unsigned ms) {
    burn_ms(ms);
}

__attribute__((noinline)) void cold(unsigned ms) {
    burn_ms(ms);
}

/* hot() gets three times the CPU time of cold(), in rounds of random length (20..60 ms of cold)
 * so that the kernel's timer tick cannot fall into step with them. */
__attribute__((noinline)) void run(unsigned total_ms) {
    unsigned seed = 12345, done = 0;
    while (done < total_ms) {
        seed = seed * 1103515245u + 12345u;
        unsigned u = 20 + (seed >> 16) % 41;
        hot(3 * u);
        cold(u);
        done += 4 * u;
    }
}

__attribute__((noinline)) void burn(unsigned ms) {
    burn_ms(ms);
}

__attribute__((noinline)) void sleeper(unsigned n) {
    for (unsigned i = 0; i < n; i++) {
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
}

static void *sleep_thread(void *arg) {
    (void)arg;
    sleeper(100);
    return NULL;
}

/* ---- sigprof ---- */
static volatile sig_atomic_t handler_calls;

__attribute__((noinline)) void handler_work(void) {
    sink += 1;
}

static void on_prof(int sig) {
    (void)sig;
    handler_work();
    handler_calls++;
}

/* ---- threads ---- */
__attribute__((noinline)) static void *spin(void *arg) {
    unsigned ms = *(unsigned *)arg;
    burn_ms(ms);
    return arg;
}

/* ---- eintr ---- */
static volatile int stop_burning;
static int pipe_fds[2];
static unsigned eintr_read, eintr_poll, eintr_nanosleep, eintr_select, eintr_cond, calls;

static void *burner(void *arg) {
    (void)arg;
    while (!stop_burning)
        burn_ms(10);
    return NULL;
}

static void *pipe_writer(void *arg) {
    (void)arg;
    while (!stop_burning) {
        struct timespec ts = {0, 500 * 1000};
        nanosleep(&ts, NULL);
        if (write(pipe_fds[1], "x", 1) < 0)
            break;
    }
    return NULL;
}

__attribute__((noinline)) void eintr_loop(unsigned rounds) {
    pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
    pthread_cond_t c = PTHREAD_COND_INITIALIZER;
    for (unsigned i = 0; i < rounds; i++) {
        burn_ms(1); /* this thread uses CPU too, so its own timer fires around its calls */
        char ch;
        if (read(pipe_fds[0], &ch, 1) < 0 && errno == EINTR)
            eintr_read++;
        struct pollfd none;
        if (poll(&none, 0, 1) < 0 && errno == EINTR)
            eintr_poll++;
        struct timespec ts = {0, 200 * 1000};
        if (nanosleep(&ts, NULL) < 0 && errno == EINTR)
            eintr_nanosleep++;
        struct timeval tv = {0, 200};
        if (select(0, NULL, NULL, NULL, &tv) < 0 && errno == EINTR)
            eintr_select++;
        struct timespec deadline;
        clock_gettime(CLOCK_REALTIME, &deadline);
        deadline.tv_nsec += 200 * 1000;
        if (deadline.tv_nsec >= 1000000000) {
            deadline.tv_sec++;
            deadline.tv_nsec -= 1000000000;
        }
        pthread_mutex_lock(&m);
        if (pthread_cond_timedwait(&c, &m, &deadline) == EINTR)
            eintr_cond++;
        pthread_mutex_unlock(&m);
        calls++;
    }
}

int main(int argc, char **argv) {
    const char *mode = argc > 1 ? argv[1] : "";
    if (strcmp(mode, "cpu") == 0) {
        run(2000);
    } else if (strcmp(mode, "sleep") == 0) {
        pthread_t t;
        if (pthread_create(&t, NULL, sleep_thread, NULL) != 0)
            return 1;
        burn(1000);
        pthread_join(t, NULL);
    } else if (strcmp(mode, "sigprof") == 0) {
        struct sigaction sa, old;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_prof;
        sa.sa_flags = SA_RESTART;
        if (sigaction(SIGPROF, &sa, NULL) != 0 || sigaction(SIGPROF, NULL, &old) != 0 ||
            old.sa_handler != on_prof) {
            printf("sigaction does not report the handler back\n");
            return 1;
        }
        /* SIGPROFs the program sends itself: each one reaches its handler. */
        for (int i = 0; i < 1000; i++) {
            raise(SIGPROF);
            hot(1);
        }
        printf("raised_calls=%d\n", (int)handler_calls);
        handler_calls = 0;
        /* Its own profiling timer. */
        struct itimerval it = {{0, 10000}, {0, 10000}};
        unsigned long long before = cpu_ns();
        setitimer(ITIMER_PROF, &it, NULL);
        hot(3000);
        struct itimerval off = {{0, 0}, {0, 0}};
        setitimer(ITIMER_PROF, &off, NULL);
        printf("itimer_calls=%d itimer_cpu_ns=%llu\n", (int)handler_calls, cpu_ns() - before);
    } else if (strcmp(mode, "threads") == 0) {
        pthread_t t[2];
        unsigned ms = 600;
        for (int i = 0; i < 2; i++)
            if (pthread_create(&t[i], NULL, spin, &ms) != 0)
                return 1;
        for (int i = 0; i < 2; i++) {
            void *ret = NULL;
            pthread_join(t[i], &ret);
            if (ret != &ms) {
                printf("the start routine's return value was lost\n");
                return 1;
            }
        }
        printf("spin=%lu\n", (unsigned long)(uintptr_t)spin);
    } else if (strcmp(mode, "eintr") == 0) {
        if (pipe(pipe_fds) != 0)
            return 1;
        pthread_t b, w;
        pthread_create(&b, NULL, burner, NULL);
        pthread_create(&w, NULL, pipe_writer, NULL);
        eintr_loop(600);
        stop_burning = 1;
        pthread_join(b, NULL);
        pthread_join(w, NULL);
        printf("calls=%u eintr read=%u poll=%u nanosleep=%u select=%u cond=%u\n", calls, eintr_read,
               eintr_poll, eintr_nanosleep, eintr_select, eintr_cond);
    } else if (strcmp(mode, "fork") == 0) {
        fflush(stdout);
        pid_t pid = fork();
        if (pid < 0)
            return 1;
        if (pid == 0) {
            hot(800);
            printf("child=%d child_cpu_ns=%llu\n", (int)getpid(), cpu_ns());
            return 0;
        }
        cold(400);
        int status;
        waitpid(pid, &status, 0);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
            return 1;
    } else if (strcmp(mode, "sigterm") == 0) {
        hot(300);
        kill(getpid(), SIGTERM);
        pause();
    } else {
        fprintf(stderr, "usage: sampler cpu|sleep|sigprof|threads|eintr|fork|sigterm\n");
        return 2;
    }
    printf("cpu_ns=%llu\n", cpu_ns());
    return 0;
}
