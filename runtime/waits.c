/* Waits: the blocking libc calls, interposed and timed, so that self-time splits into cpu and wait.
 *
 * Design. Each wrapper is exported under the libc name (the dynamic linker finds the runtime
 * before libc), reads the hot-path clock before and after the real call (interpose.h), and, when
 * recording is on and the thread has state, adds the wall time to: the innermost instrumented
 * frame's function (hm_fstats.blocked_ns), the thread's wait total (wait_ticks) and the frame's
 * call-path node (hm_node_wait: blocked_ns; block_count/block_ns for synchronisation; mutex_* for
 * contended mutexes and rwlocks). Enter/exit do no work for this. While inside the call the thread
 * publishes "blocked since tick T" (hm_thread_data.blocked_since), so a write at exit counts a wait
 * still in progress.
 *
 * Semantics are the real function's: return value and errno (saved after the real call, restored
 * before returning); the real function is the cancellation point, and a thread cancelled inside
 * leaves only blocked_since behind, which its exit (hm_thread_merge) counts and clears. Before the
 * runtime started, with HEATMAP=off, on a thread without state, or nested inside another wrapper
 * (a signal handler), a wrapper only calls through. Nothing here locks or allocates, so wrappers
 * are async-signal-safe wherever the real function is. Mutexes and rwlocks try first
 * (pthread_mutex_trylock): an uncontended lock costs one trylock, and only a lock that would block
 * is timed. sem_wait does the same with sem_trywait.
 *
 * EINTR. A call that fails with EINTR while hm_tls.our_signals changed (a signal the runtime sent,
 * e.g. the CPU sampler's SIGPROF) is retried with what is left of a relative timeout, so the
 * program never sees an EINTR caused by us. Not retried: connect (after EINTR the connection
 * goes on asynchronously; a second connect would report EALREADY), and sleep() is resumed with the
 * seconds it returns (whole seconds: up to one second less may be slept).
 *
 * Only calls that go through the dynamic symbol table are seen: the program's and other
 * libraries' calls, not libc's internal ones (stdio's read, for instance).
 *
 * Layer 2 (rt_hot.h): reads the hot path's per-thread data and writes the calling thread's own
 * wait figures; calls interpose.h and the clock; called by the program (and init: hm_waits_init).
 */
#define _GNU_SOURCE
#undef _FORTIFY_SOURCE
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <semaphore.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "interpose.h"
#include "rt_hot.h"

/* The wrappers are the runtime's only exported definitions of libc names. */
#define HM_EXPORT __attribute__((visibility("default")))

typedef enum hm_wait_kind {
    HM_WAIT_IO,    /* blocking I/O, poll, process waits */
    HM_WAIT_SLEEP, /* the sleep family */
    HM_WAIT_SYNC,  /* condition, semaphore, barrier, join */
    HM_WAIT_MUTEX, /* contended mutex or rwlock */
} hm_wait_kind;

typedef struct hm_wait {
    uint64_t start; /* 0: not timed (call through) */
    uint32_t signals;
} hm_wait;

static inline void hm_wait_begin(hm_wait *w) {
    hm_tls *t = &hm_tls_self;
    w->signals = t->our_signals;
    w->start = 0;
    if (!atomic_load_explicit(&hm_recording, memory_order_relaxed) || t->stats_cap == 0)
        return;
    hm_thread_data *d = t->data;
    if (__atomic_load_n(&d->blocked_since, __ATOMIC_RELAXED) != 0)
        return; /* nested (a handler interrupted a wait): the outer wait covers this one */
    uint64_t now = hm_clock_now();
    w->start = now ? now : 1;
    __atomic_store_n(&d->blocked_since, w->start, __ATOMIC_RELAXED);
    atomic_signal_fence(memory_order_seq_cst);
}

/* True when a signal of ours came during the call (and remembers the count for the retry). */
static inline bool hm_wait_ours(hm_wait *w) {
    uint32_t now = hm_tls_self.our_signals;
    bool ours = now != w->signals;
    w->signals = now;
    return ours;
}

static void hm_wait_account(hm_tls *t, uint64_t ticks, hm_wait_kind kind) {
    hm_thread_data *d = t->data;
    hm_sig_add64(&d->wait_ticks, ticks);
    uint32_t depth = t->depth;
    if (depth == 0)
        return; /* outside instrumented frames: the thread's wait total only */
    const hm_frame *f = &t->stack[depth - 1];
    uint64_t ns = hm_ticks_to_ns(ticks, hm_rt.ns_per_tick_fp);
    if (f->id < t->stats_cap && t->stats[f->id])
        hm_sig_add64(&t->stats[f->id]->blocked_ns, ns);
    if (t->tree && t->tree->waits) {
        hm_node_wait *nw = &t->tree->waits[f->node & ~HM_NODE_FOLDED];
        hm_sig_add64(&nw->blocked_ns, ns);
        if (kind >= HM_WAIT_SYNC) {
            hm_sig_add64(&nw->block_count, 1);
            hm_sig_add64(&nw->block_ns, ns);
        }
        if (kind == HM_WAIT_MUTEX) {
            hm_sig_add64(&nw->mutex_count, 1);
            hm_sig_add64(&nw->mutex_ns, ns);
        }
    }
}

/* End a timed wait: account it, clear blocked_since. Keeps errno. */
static inline void hm_wait_end(hm_wait *w, hm_wait_kind kind) {
    if (w->start == 0)
        return;
    int saved = errno;
    uint64_t end = hm_clock_now();
    hm_tls *t = &hm_tls_self;
    if (t->stats_cap != 0) {
        hm_thread_data *d = t->data;
        atomic_signal_fence(memory_order_seq_cst);
        __atomic_store_n(&d->blocked_since, 0, __ATOMIC_RELAXED);
        hm_wait_account(t, end > w->start ? end - w->start : 0, kind);
    }
    errno = saved;
}

/* The real function could not be found (or dlsym is resolving on this thread). */
static int hm_no_real(void) {
    errno = ENOSYS;
    return -1;
}

/* The deadline (CLOCK_MONOTONIC) of a poll-style timeout in milliseconds; 0 for none (<= 0). */
static uint64_t hm_ms_deadline(int timeout) {
    return timeout > 0 ? hm_clock_monotonic_ns() + (uint64_t)timeout * 1000000u : 0;
}

/* The timeout of a poll-style retry: the milliseconds left until `deadline_ns`, or `timeout`
 * unchanged when it is not positive (0: do not wait, -1: wait for ever). */
static int hm_ms_left(int timeout, uint64_t deadline_ns) {
    if (timeout <= 0)
        return timeout;
    uint64_t now = hm_clock_monotonic_ns();
    if (now >= deadline_ns)
        return 0;
    uint64_t ms = (deadline_ns - now + 999999u) / 1000000u;
    return ms > (uint64_t)INT32_MAX ? INT32_MAX : (int)ms;
}

/* What is left of a relative timespec `rel` begun at `begun_ns` (CLOCK_MONOTONIC). */
static struct timespec hm_ts_left(const struct timespec *rel, uint64_t begun_ns) {
    uint64_t total = (uint64_t)rel->tv_sec * 1000000000u + (uint64_t)rel->tv_nsec;
    uint64_t spent = hm_clock_monotonic_ns() - begun_ns;
    uint64_t left = total > spent ? total - spent : 0;
    return (struct timespec){(time_t)(left / 1000000000u), (long)(left % 1000000000u)};
}

/* A ppoll-style relative timeout (rel NULL: none) while the call is retried: `use` is what to
 * pass, rel itself at first, then what is left of it. */
typedef struct hm_ts_timeout {
    const struct timespec *rel, *use;
    struct timespec left;
    uint64_t begun_ns;
} hm_ts_timeout;

static hm_ts_timeout hm_ts_start(const struct timespec *rel) {
    return (hm_ts_timeout){.rel = rel, .use = rel, .begun_ns = rel ? hm_clock_monotonic_ns() : 0};
}

static void hm_ts_shorten(hm_ts_timeout *t) {
    if (t->rel) {
        t->left = hm_ts_left(t->rel, t->begun_ns);
        t->use = &t->left;
    }
}

/* Calls retried on our EINTR: `start` declares what the retries need and `shorten` makes `args`
 * ask for what is left of a timeout, for calls that have one (HM_WRAP_POLL_*). */
#define HM_WRAP_RETRY_SHORTER(ret, name, kind, params, args, start, shorten)                       \
    HM_REAL_DEFINE(name, NULL);                                                                    \
    HM_EXPORT ret name params {                                                                    \
        __typeof__(&name) real = HM_REAL(name);                                                    \
        if (HM_UNLIKELY(!real))                                                                    \
            return hm_no_real();                                                                   \
        start;                                                                                     \
        hm_wait w;                                                                                 \
        hm_wait_begin(&w);                                                                         \
        ret rc;                                                                                    \
        while ((rc = real args) == -1 && errno == EINTR && hm_wait_ours(&w))                       \
            shorten;                                                                               \
        hm_wait_end(&w, kind);                                                                     \
        return rc;                                                                                 \
    }

/* Calls without a timeout: retried as they are. */
#define HM_WRAP_RETRY(ret, name, kind, params, args)                                               \
    HM_WRAP_RETRY_SHORTER(ret, name, kind, params, args, (void)0, (void)0)

/* Calls timed once, never retried (they never fail with EINTR, or must not be retried); `fail` is
 * returned when the real function is missing. `version`: the symbol version to ask for, or NULL. */
#define HM_WRAP_ONCE(ret, name, version, kind, fail, params, args)                                 \
    HM_REAL_DEFINE(name, version);                                                                 \
    HM_EXPORT ret name params {                                                                    \
        __typeof__(&name) real = HM_REAL(name);                                                    \
        if (HM_UNLIKELY(!real))                                                                    \
            return fail;                                                                           \
        hm_wait w;                                                                                 \
        hm_wait_begin(&w);                                                                         \
        ret rc = real args;                                                                        \
        hm_wait_end(&w, kind);                                                                     \
        return rc;                                                                                 \
    }

/* Locks: try first; only a lock that would block is timed. EBUSY also comes for an error-checking
 * mutex this thread holds: the real lock then reports EDEADLK itself, and an error is not counted
 * as a contended wait. */
#define HM_WRAP_TRY_FIRST(name, try_name, params, first, args)                                     \
    HM_REAL_DEFINE(name, NULL);                                                                    \
    HM_EXPORT int name params {                                                                    \
        __typeof__(&try_name) try = HM_REAL(try_name);                                             \
        __typeof__(&name) real = HM_REAL(name);                                                    \
        if (HM_UNLIKELY(!try || !real))                                                            \
            return ENOSYS;                                                                         \
        int rc = try(first);                                                                       \
        if (HM_LIKELY(rc != EBUSY))                                                                \
            return rc;                                                                             \
        hm_wait w;                                                                                 \
        hm_wait_begin(&w);                                                                         \
        rc = real args;                                                                            \
        hm_wait_end(&w, rc == 0 ? HM_WAIT_MUTEX : HM_WAIT_IO);                                     \
        return rc;                                                                                 \
    }

/* poll-style calls with a timeout in milliseconds (`timeout`): retried with the milliseconds
 * left. */
#define HM_WRAP_POLL_MS(name, params, args)                                                        \
    HM_WRAP_RETRY_SHORTER(int, name, HM_WAIT_IO, params, args,                                     \
                          uint64_t deadline = hm_ms_deadline(timeout),                             \
                          timeout = hm_ms_left(timeout, deadline))

/* ppoll-style calls with a relative timespec (`tmo`): retried with what is left of it, which
 * `args` pass as `to.use`. */
#define HM_WRAP_POLL_TS(name, params, args)                                                        \
    HM_WRAP_RETRY_SHORTER(int, name, HM_WAIT_IO, params, args,                                     \
                          hm_ts_timeout to = hm_ts_start(tmo), hm_ts_shorten(&to))

/* ---- blocking I/O and process waits ---------------------------------------------------------- */

HM_WRAP_RETRY(ssize_t, read, HM_WAIT_IO, (int fd, void *buf, size_t n), (fd, buf, n))
HM_WRAP_RETRY(ssize_t, write, HM_WAIT_IO, (int fd, const void *buf, size_t n), (fd, buf, n))
HM_WRAP_RETRY(ssize_t, pread, HM_WAIT_IO, (int fd, void *buf, size_t n, off_t off),
              (fd, buf, n, off))
HM_WRAP_RETRY(ssize_t, pwrite, HM_WAIT_IO, (int fd, const void *buf, size_t n, off_t off),
              (fd, buf, n, off))
HM_WRAP_RETRY(ssize_t, pread64, HM_WAIT_IO, (int fd, void *buf, size_t n, off64_t off),
              (fd, buf, n, off))
HM_WRAP_RETRY(ssize_t, pwrite64, HM_WAIT_IO, (int fd, const void *buf, size_t n, off64_t off),
              (fd, buf, n, off))
HM_WRAP_RETRY(ssize_t, readv, HM_WAIT_IO, (int fd, const struct iovec *v, int n), (fd, v, n))
HM_WRAP_RETRY(ssize_t, writev, HM_WAIT_IO, (int fd, const struct iovec *v, int n), (fd, v, n))
HM_WRAP_RETRY(ssize_t, recv, HM_WAIT_IO, (int fd, void *buf, size_t n, int flags),
              (fd, buf, n, flags))
HM_WRAP_RETRY(ssize_t, recvfrom, HM_WAIT_IO,
              (int fd, void *restrict buf, size_t n, int flags, __SOCKADDR_ARG addr,
               socklen_t *restrict len),
              (fd, buf, n, flags, addr, len))
HM_WRAP_RETRY(ssize_t, recvmsg, HM_WAIT_IO, (int fd, struct msghdr *msg, int flags),
              (fd, msg, flags))
HM_WRAP_RETRY(ssize_t, send, HM_WAIT_IO, (int fd, const void *buf, size_t n, int flags),
              (fd, buf, n, flags))
HM_WRAP_RETRY(ssize_t, sendto, HM_WAIT_IO,
              (int fd, const void *buf, size_t n, int flags, __CONST_SOCKADDR_ARG addr,
               socklen_t len),
              (fd, buf, n, flags, addr, len))
HM_WRAP_RETRY(ssize_t, sendmsg, HM_WAIT_IO, (int fd, const struct msghdr *msg, int flags),
              (fd, msg, flags))
HM_WRAP_RETRY(int, accept, HM_WAIT_IO, (int fd, __SOCKADDR_ARG addr, socklen_t *restrict len),
              (fd, addr, len))
HM_WRAP_RETRY(int, accept4, HM_WAIT_IO,
              (int fd, __SOCKADDR_ARG addr, socklen_t *restrict len, int flags),
              (fd, addr, len, flags))
HM_WRAP_RETRY(pid_t, waitpid, HM_WAIT_IO, (pid_t pid, int *status, int options),
              (pid, status, options))
HM_WRAP_RETRY(pid_t, wait, HM_WAIT_IO, (int *status), (status))
HM_WRAP_RETRY(int, waitid, HM_WAIT_IO, (idtype_t type, id_t id, siginfo_t *info, int options),
              (type, id, info, options))
/* select: Linux leaves the time not slept in *timeout, so the retry goes on with what is left. */
HM_WRAP_RETRY(int, select, HM_WAIT_IO,
              (int n, fd_set *restrict r, fd_set *restrict w_, fd_set *restrict e,
               struct timeval *restrict timeout),
              (n, r, w_, e, timeout))

/* connect is timed but never retried (see the file comment). */
HM_WRAP_ONCE(int, connect, NULL, HM_WAIT_IO, hm_no_real(),
             (int fd, __CONST_SOCKADDR_ARG addr, socklen_t len), (fd, addr, len))
HM_WRAP_POLL_MS(poll, (struct pollfd * fds, nfds_t n, int timeout), (fds, n, timeout))
HM_WRAP_POLL_MS(epoll_wait, (int epfd, struct epoll_event *ev, int max, int timeout),
                (epfd, ev, max, timeout))
HM_WRAP_POLL_MS(epoll_pwait,
                (int epfd, struct epoll_event *ev, int max, int timeout, const sigset_t *mask),
                (epfd, ev, max, timeout, mask))
HM_WRAP_POLL_TS(ppoll,
                (struct pollfd * fds, nfds_t n, const struct timespec *tmo, const sigset_t *mask),
                (fds, n, to.use, mask))
HM_WRAP_POLL_TS(pselect,
                (int n, fd_set *restrict r, fd_set *restrict wr, fd_set *restrict e,
                 const struct timespec *restrict tmo, const sigset_t *restrict mask),
                (n, r, wr, e, to.use, mask))

/* ---- sleeping -------------------------------------------------------------------------------- */

HM_REAL_DEFINE(nanosleep, NULL);
HM_EXPORT int nanosleep(const struct timespec *req, struct timespec *rem) {
    __typeof__(&nanosleep) real = HM_REAL(nanosleep);
    if (HM_UNLIKELY(!real))
        return hm_no_real();
    struct timespec left_in, left_out;
    struct timespec *out = rem ? rem : &left_out;
    hm_wait w;
    hm_wait_begin(&w);
    int rc;
    while ((rc = real(req, out)) == -1 && errno == EINTR && hm_wait_ours(&w)) {
        left_in = *out;
        req = &left_in;
    }
    hm_wait_end(&w, HM_WAIT_SLEEP);
    return rc;
}

/* Returns an error number, not -1/errno. */
HM_REAL_DEFINE(clock_nanosleep, NULL);
HM_EXPORT int clock_nanosleep(clockid_t clk, int flags, const struct timespec *req,
                              struct timespec *rem) {
    __typeof__(&clock_nanosleep) real = HM_REAL(clock_nanosleep);
    if (HM_UNLIKELY(!real))
        return ENOSYS;
    struct timespec left_in, left_out;
    struct timespec *out = rem ? rem : &left_out;
    hm_wait w;
    hm_wait_begin(&w);
    int rc;
    while ((rc = real(clk, flags, req, out)) == EINTR && hm_wait_ours(&w))
        if (!(flags & TIMER_ABSTIME)) {
            left_in = *out;
            req = &left_in;
        }
    hm_wait_end(&w, HM_WAIT_SLEEP);
    return rc;
}

HM_REAL_DEFINE(sleep, NULL);
HM_EXPORT unsigned int sleep(unsigned int seconds) {
    __typeof__(&sleep) real = HM_REAL(sleep);
    if (HM_UNLIKELY(!real))
        return seconds;
    hm_wait w;
    hm_wait_begin(&w);
    unsigned int left;
    while ((left = real(seconds)) > 0 && hm_wait_ours(&w))
        seconds = left;
    hm_wait_end(&w, HM_WAIT_SLEEP);
    return left;
}

HM_REAL_DEFINE(usleep, NULL);
HM_EXPORT int usleep(useconds_t usec) {
    __typeof__(&usleep) real = HM_REAL(usleep);
    if (HM_UNLIKELY(!real))
        return hm_no_real();
    uint64_t deadline = hm_clock_monotonic_ns() + (uint64_t)usec * 1000u;
    hm_wait w;
    hm_wait_begin(&w);
    int rc;
    while ((rc = real(usec)) == -1 && errno == EINTR && hm_wait_ours(&w)) {
        uint64_t now = hm_clock_monotonic_ns();
        usec = now >= deadline ? 0 : (useconds_t)((deadline - now + 999u) / 1000u);
    }
    hm_wait_end(&w, HM_WAIT_SLEEP);
    return rc;
}

/* ---- synchronisation (error numbers, not errno; never EINTR except the semaphores) ------------
 */

HM_WRAP_ONCE(int, pthread_join, NULL, HM_WAIT_SYNC, ENOSYS, (pthread_t th, void **ret), (th, ret))
HM_WRAP_ONCE(int, pthread_timedjoin_np, NULL, HM_WAIT_SYNC, ENOSYS,
             (pthread_t th, void **ret, const struct timespec *abstime), (th, ret, abstime))
HM_REAL_DEFINE(pthread_mutex_trylock, NULL);
HM_WRAP_TRY_FIRST(pthread_mutex_lock, pthread_mutex_trylock, (pthread_mutex_t * m), m, (m))
HM_WRAP_TRY_FIRST(pthread_mutex_timedlock, pthread_mutex_trylock,
                  (pthread_mutex_t *restrict m, const struct timespec *restrict abstime), m,
                  (m, abstime))
HM_REAL_DEFINE(pthread_rwlock_tryrdlock, NULL);
HM_WRAP_TRY_FIRST(pthread_rwlock_rdlock, pthread_rwlock_tryrdlock, (pthread_rwlock_t * l), l, (l))
HM_REAL_DEFINE(pthread_rwlock_trywrlock, NULL);
HM_WRAP_TRY_FIRST(pthread_rwlock_wrlock, pthread_rwlock_trywrlock, (pthread_rwlock_t * l), l, (l))
/* glibc's unversioned dlsym finds the pre-2.3.2 condition variables; ask for the current ones. */
HM_WRAP_ONCE(int, pthread_cond_wait, "GLIBC_2.3.2", HM_WAIT_SYNC, ENOSYS,
             (pthread_cond_t *restrict c, pthread_mutex_t *restrict m), (c, m))
HM_WRAP_ONCE(int, pthread_cond_timedwait, "GLIBC_2.3.2", HM_WAIT_SYNC, ENOSYS,
             (pthread_cond_t *restrict c, pthread_mutex_t *restrict m,
              const struct timespec *restrict abstime),
             (c, m, abstime))
HM_WRAP_ONCE(int, pthread_barrier_wait, NULL, HM_WAIT_SYNC, ENOSYS, (pthread_barrier_t * b), (b))

HM_REAL_DEFINE(sem_trywait, NULL);
HM_REAL_DEFINE(sem_wait, NULL);
HM_EXPORT int sem_wait(sem_t *s) {
    __typeof__(&sem_trywait) try = HM_REAL(sem_trywait);
    __typeof__(&sem_wait) real = HM_REAL(sem_wait);
    if (HM_UNLIKELY(!try || !real))
        return hm_no_real();
    int saved = errno;
    if (try(s) == 0)
        return 0;
    errno = saved;
    hm_wait w;
    hm_wait_begin(&w);
    int rc;
    while ((rc = real(s)) == -1 && errno == EINTR && hm_wait_ours(&w))
        ;
    hm_wait_end(&w, HM_WAIT_SYNC);
    return rc;
}

HM_WRAP_RETRY(int, sem_timedwait, HM_WAIT_SYNC,
              (sem_t *restrict s, const struct timespec *restrict abstime), (s, abstime))

void hm_waits_init(void) {
    hm_real *slots[] = {
        HM_REAL_SLOT(read),
        HM_REAL_SLOT(write),
        HM_REAL_SLOT(pread),
        HM_REAL_SLOT(pwrite),
        HM_REAL_SLOT(pread64),
        HM_REAL_SLOT(pwrite64),
        HM_REAL_SLOT(readv),
        HM_REAL_SLOT(writev),
        HM_REAL_SLOT(recv),
        HM_REAL_SLOT(recvfrom),
        HM_REAL_SLOT(recvmsg),
        HM_REAL_SLOT(send),
        HM_REAL_SLOT(sendto),
        HM_REAL_SLOT(sendmsg),
        HM_REAL_SLOT(accept),
        HM_REAL_SLOT(accept4),
        HM_REAL_SLOT(connect),
        HM_REAL_SLOT(waitpid),
        HM_REAL_SLOT(wait),
        HM_REAL_SLOT(waitid),
        HM_REAL_SLOT(select),
        HM_REAL_SLOT(pselect),
        HM_REAL_SLOT(poll),
        HM_REAL_SLOT(ppoll),
        HM_REAL_SLOT(epoll_wait),
        HM_REAL_SLOT(epoll_pwait),
        HM_REAL_SLOT(nanosleep),
        HM_REAL_SLOT(clock_nanosleep),
        HM_REAL_SLOT(sleep),
        HM_REAL_SLOT(usleep),
        HM_REAL_SLOT(pthread_join),
        HM_REAL_SLOT(pthread_timedjoin_np),
        HM_REAL_SLOT(pthread_mutex_trylock),
        HM_REAL_SLOT(pthread_mutex_lock),
        HM_REAL_SLOT(pthread_mutex_timedlock),
        HM_REAL_SLOT(pthread_rwlock_tryrdlock),
        HM_REAL_SLOT(pthread_rwlock_rdlock),
        HM_REAL_SLOT(pthread_rwlock_trywrlock),
        HM_REAL_SLOT(pthread_rwlock_wrlock),
        HM_REAL_SLOT(pthread_cond_wait),
        HM_REAL_SLOT(pthread_cond_timedwait),
        HM_REAL_SLOT(pthread_barrier_wait),
        HM_REAL_SLOT(sem_trywait),
        HM_REAL_SLOT(sem_wait),
        HM_REAL_SLOT(sem_timedwait),
    };
    for (size_t i = 0; i < sizeof slots / sizeof *slots; i++)
        hm_real_resolve(slots[i]);
}
