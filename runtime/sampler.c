/* The CPU sampler: SIGPROF from a timer on each thread's CPU clock, samples aggregated per thread.
 *
 * Design. Every thread gets a POSIX timer on its own CPU clock (timer_create on
 * CLOCK_THREAD_CPUTIME_ID, SIGEV_THREAD_ID naming the thread, as Go >= 1.18 does), so a thread
 * is sampled in proportion to the CPU time it uses and a sleeping thread gets no samples. The
 * thread that starts the runtime (normally the main thread) is armed by hm_sampler_start; every
 * thread made later through pthread_create is armed by the interposed pthread_create, which wraps
 * the start routine (return value, attributes, cancellation and errno pass through unchanged).
 * Threads made before the runtime started, or by clone(2) directly, are not sampled.
 *
 * The handler (SA_SIGINFO | SA_RESTART: restartable calls such as read, write and wait resume
 * instead of failing with EINTR; the interposed waits retry the others using
 * hm_tls_self.our_signals) takes a signal as ours when si_code is SI_TIMER and si_value is our
 * cookie. A sample is the interrupted PC, up to HM_SAMPLE_PCS - 1 return addresses from a
 * frame-pointer walk that only reads between the interrupted stack pointer and the top of the
 * thread's stack and stops at the first frame that is not strictly above the last (so native
 * callers appear only for code built with frame pointers, and the interrupted function's own
 * caller is missing when it was stopped before setting up its frame), and the thread's shadow
 * stack of instrumented function ids, innermost first. It counts the thread's CPU time since its
 * previous sample in whole periods (clock_gettime of the thread's CPU clock, the remainder carried
 * over): the kernel checks CPU timers at its tick, so above the tick rate one signal stands for
 * several periods, and the timer's own si_overrun loses periods on a loaded machine.
 * Samples go into the thread's own table (hm_sample_table: open addressing in one mmap'd
 * reservation; full means the count goes to `dropped`). No lock, no malloc, errno preserved.
 *
 * Any other SIGPROF is the program's. While the sampler owns SIGPROF the interposed sigaction()
 * and signal() record the program's disposition instead of installing it and report it back as
 * the old one, and the handler calls it (with its sa_mask blocked; SIG_DFL kills the process as
 * it would have; SIG_IGN drops the signal), so a program using setitimer(ITIMER_PROF) keeps its
 * signals and its handler can never displace ours.
 *
 * The live server (server.c) uses the sampler idle: hm_sampler_prepare installs all of the above
 * but arms no timer; hm_sampler_resume arms every known thread from the server's thread (a
 * thread's CPU clock and SIGEV_THREAD_ID name it by its kernel id) for a profile's window and
 * hm_sampler_pause disarms them. The server's own threads are quiet: the pthread_create wrapper
 * gives them no state and passes quietness on to the threads they make (hm_quiet_trampoline), and
 * records every other creation's site (threadcreate.c).
 *
 * At thread exit a pthread_key destructor deletes the thread's timer and merges its table into
 * the table of exited threads under hm_lock (never in the signal handler); its state goes to a
 * free list for the next thread. hm_sampler_stop (the final write) deletes every timer. A forked
 * child forgets the parent's samples and re-arms its one thread.
 *
 * Interposition: the real functions come from interpose.h (dlsym(RTLD_NEXT), resolved at start,
 * the resolver the wait wrappers use too). The unit tests' build of the runtime
 * (HM_TEST_CLOCK, linked into sanitized executables) defines no interposed functions, so it never
 * displaces the sanitizers' own interceptors.
 *
 * Layer 2 (rt_hot.h), beside the hot path: reads the shadow stack (hm_tls_self) and calls layer 1
 * (log); called by the program (pthread_create, sigaction, signal), the kernel (SIGPROF), the
 * lifecycle (start, stop) and the results writer (the read side).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#include "interpose.h"
#include "rt_hot.h"

#define HM_THREAD_ENTRIES 8192u      /* distinct samples per thread */
#define HM_EXITED_ENTRIES (1u << 17) /* distinct samples of all exited threads */
#define HM_PROG_SLOTS 4u             /* the program's SIGPROF disposition, a ring of copies */

/* One thread's sampler state; never unmapped (recycled through the free list). */
typedef struct hm_sampler_thread {
    struct hm_sampler_thread *next;      /* every state made (lock-free push, never removed) */
    struct hm_sampler_thread *next_free; /* the free list, under hm_lock */
    _Atomic int active;                  /* the handler may record into `table` */
    _Atomic int armed;                   /* `timer` exists: whoever swaps this to 0 deletes it */
    timer_t timer;
    uint64_t last_cpu_ns; /* the thread's CPU clock at its previous sample (or at arming) */
    uint64_t carry_ns;    /* CPU time since then not yet counted in whole periods */
    uintptr_t stack_lo, stack_hi;
    pid_t tid;              /* the thread's kernel id, for arming it from another thread */
    void *(*start)(void *); /* the program's start routine, for the pthread_create trampoline */
    void *arg;
    hm_sample_table table;
} hm_sampler_thread;

static const char hm_cookie = 'h'; /* its address is our timers' si_value */
static _Atomic int hm_on;          /* samples are being taken */
static bool hm_idle_mode;          /* started by hm_sampler_prepare: on only between resume/pause */
static bool hm_started;            /* hm_sampler_start succeeded: the section is written */
static uint32_t hm_hz;
static long hm_period_ns;
static _Atomic(hm_sampler_thread *) hm_states;
static hm_sampler_thread *hm_free;
static pthread_mutex_t hm_lock = PTHREAD_MUTEX_INITIALIZER; /* free list and hm_exited */
static hm_sample_table hm_exited;
static pthread_key_t hm_key;
static __thread hm_sampler_thread *hm_self __attribute__((tls_model("initial-exec")));
/* The profiler's own threads (the live server's) and the threads they make: never sampled, never
 * counted as the program's thread creations. */
static __thread bool hm_quiet __attribute__((tls_model("initial-exec")));

/* The program's SIGPROF disposition while we own the signal. */
static _Atomic int hm_owns_sigprof;
static struct sigaction hm_prog[HM_PROG_SLOTS];
static _Atomic uint32_t hm_prog_seq, hm_prog_cur;

/* ---- the real functions ---------------------------------------------------------------------- */

typedef int (*hm_sigaction_fn)(int, const struct sigaction *, struct sigaction *);
typedef int (*hm_pthread_create_fn)(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *);

#ifdef HM_TEST_CLOCK
static hm_sigaction_fn hm_real_sigaction(void) {
    return sigaction;
}
#else
static hm_real hm_real_sigaction_p = {"sigaction", NULL, NULL},
               hm_real_signal_p = {"signal", NULL, NULL},
               hm_real_pthread_create_p = {"pthread_create", NULL, NULL};

/* The real function behind `slot` (interpose.h); `name` is the slot's own, kept for the reader. */
static void *hm_resolve(hm_real *slot, const char *name) {
    (void)name;
    return hm_real_get(slot);
}

static hm_sigaction_fn hm_real_sigaction(void) {
    return (hm_sigaction_fn)hm_resolve(&hm_real_sigaction_p, "sigaction");
}
#endif

/* ---- sample tables --------------------------------------------------------------------------- */

static size_t hm_page_round(size_t n) {
    return (n + 4095u) & ~(size_t)4095u;
}

bool hm_sample_table_init(hm_sample_table *t, uint32_t entries) {
    uint32_t cap = 64;
    while (cap < entries)
        cap *= 2;
    size_t slots_size = hm_page_round((size_t)cap * 2 * sizeof(uint32_t));
    size_t size = slots_size + hm_page_round((size_t)cap * sizeof(hm_sample));
    void *map = mmap(NULL, size, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    memset(t, 0, sizeof *t);
    if (map == MAP_FAILED)
        return false;
    t->map = map;
    t->map_size = size;
    t->slots = map;
    t->entries = (hm_sample *)((char *)map + slots_size);
    t->mask = cap * 2 - 1;
    t->cap = cap;
    return true;
}

void hm_sample_table_release(hm_sample_table *t) {
    if (t->map)
        munmap(t->map, t->map_size);
    memset(t, 0, sizeof *t);
}

/* Empty a table, giving its pages back (they read as zeros again). */
static void hm_sample_table_reset(hm_sample_table *t) {
    if (!t->map)
        return;
    madvise(t->map, t->map_size, MADV_DONTNEED);
    atomic_store(&t->used, 0);
    t->dropped = 0;
}

static uint32_t hm_sample_hash(const hm_sample *s) {
    uint64_t h = 0x9e3779b97f4a7c15ull ^ ((uint64_t)s->npcs << 8 | s->nstack);
    for (uint32_t i = 0; i < s->npcs; i++) {
        h = (h ^ s->pcs[i]) * 0x100000001b3ull;
        h ^= h >> 29;
    }
    for (uint32_t i = 0; i < s->nstack; i++) {
        h = (h ^ s->stack[i]) * 0x100000001b3ull;
        h ^= h >> 29;
    }
    return (uint32_t)(h ^ (h >> 32));
}

static bool hm_sample_same(const hm_sample *a, const hm_sample *b) {
    return a->npcs == b->npcs && a->nstack == b->nstack &&
           memcmp(a->pcs, b->pcs, a->npcs * sizeof *a->pcs) == 0 &&
           memcmp(a->stack, b->stack, a->nstack * sizeof *a->stack) == 0;
}

void hm_sample_table_add(hm_sample_table *t, const hm_sample *s, uint64_t count) {
    if (!t->slots) {
        t->dropped += count;
        return;
    }
    uint32_t h = hm_sample_hash(s);
    for (uint32_t i = h & t->mask, n = 0; n <= t->mask; i = (i + 1) & t->mask, n++) {
        uint32_t e = __atomic_load_n(&t->slots[i], __ATOMIC_ACQUIRE);
        if (e == 0) {
            uint32_t used = atomic_load_explicit(&t->used, memory_order_relaxed);
            if (used >= t->cap)
                break;
            hm_sample *d = &t->entries[used];
            d->count = count;
            d->hash = h;
            d->npcs = s->npcs;
            d->nstack = s->nstack;
            memcpy(d->pcs, s->pcs, s->npcs * sizeof *s->pcs);
            memcpy(d->stack, s->stack, s->nstack * sizeof *s->stack);
            atomic_store_explicit(&t->used, used + 1, memory_order_release);
            __atomic_store_n(&t->slots[i], used + 1, __ATOMIC_RELEASE); /* publishes the entry */
            return;
        }
        hm_sample *d = &t->entries[e - 1];
        if (d->hash == h && hm_sample_same(d, s)) {
            hm_sig_add64(&d->count, count);
            return;
        }
    }
    t->dropped += count;
}

/* ---- the signal handler ---------------------------------------------------------------------- */

static void hm_take_sample(hm_sampler_thread *st, const ucontext_t *uc, uint64_t weight) {
    hm_sample s;
    uintptr_t pc = 0, sp = 0, fp = 0;
#if defined(__x86_64__)
    pc = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
    sp = (uintptr_t)uc->uc_mcontext.gregs[REG_RSP];
    fp = (uintptr_t)uc->uc_mcontext.gregs[REG_RBP];
#elif defined(__aarch64__)
    pc = (uintptr_t)uc->uc_mcontext.pc;
    sp = (uintptr_t)uc->uc_mcontext.sp;
    fp = (uintptr_t)uc->uc_mcontext.regs[29];
#else
    (void)uc;
#endif
    s.npcs = 0;
    s.pcs[s.npcs++] = pc;
    /* Frame records are {saved frame pointer, return address} on x86-64 and aarch64. Read only
     * within [sp, stack_hi): that range is mapped whenever sp lies in the thread's stack. */
    uintptr_t lo = sp, hi = st->stack_hi;
    if (sp >= st->stack_lo && sp < hi) {
        while (s.npcs < HM_SAMPLE_PCS && fp >= lo && fp <= hi - 2 * sizeof(uintptr_t) &&
               (fp & (sizeof(uintptr_t) - 1)) == 0) {
            const uintptr_t *frame = (const uintptr_t *)fp;
            uintptr_t next = frame[0], ret = frame[1];
            /* Code without frame pointers leaves other data here: a "return address" outside the
             * user half of the address space (or in page 0) ends the walk. */
            if (ret < 4096 || ret > (uintptr_t)INTPTR_MAX)
                break;
            s.pcs[s.npcs++] = ret;
            lo = fp + 2 * sizeof(uintptr_t);
            fp = next;
        }
    }
    s.nstack = 0;
    const hm_tls *t = &hm_tls_self;
    const hm_frame *stack = t->stack;
    if (t->stats_cap && stack) {
        uint32_t depth = t->depth < t->capacity ? t->depth : t->capacity;
        for (uint32_t i = depth; i > 0 && s.nstack < HM_SAMPLE_STACK; i--)
            s.stack[s.nstack++] = stack[i - 1].id;
    }
    hm_sample_table_add(&st->table, &s, weight);
}

static struct sigaction hm_prog_get(void) {
    return hm_prog[atomic_load(&hm_prog_cur) % HM_PROG_SLOTS];
}

static void hm_prog_set(const struct sigaction *act) {
    uint32_t n = atomic_fetch_add(&hm_prog_seq, 1) + 1;
    hm_prog[n % HM_PROG_SLOTS] = *act;
    atomic_store(&hm_prog_cur, n);
}

/* A SIGPROF that is not ours: what the program asked for. */
static void hm_forward(int sig, siginfo_t *si, void *uc) {
    struct sigaction a = hm_prog_get();
    if (a.sa_flags & SA_RESETHAND) {
        struct sigaction dfl;
        memset(&dfl, 0, sizeof dfl);
        dfl.sa_handler = SIG_DFL;
        hm_prog_set(&dfl);
    }
    if (!(a.sa_flags & SA_SIGINFO) && a.sa_handler == SIG_IGN)
        return;
    if (!(a.sa_flags & SA_SIGINFO) && a.sa_handler == SIG_DFL) {
        /* Die the way the signal would have killed the program. */
        hm_sigaction_fn real = hm_real_sigaction();
        if (real)
            real(sig, &a, NULL);
        hm_raise_unblocked(sig);
        return;
    }
    sigset_t saved;
    pthread_sigmask(SIG_BLOCK, &a.sa_mask, &saved);
    if (a.sa_flags & SA_SIGINFO)
        a.sa_sigaction(sig, si, uc);
    else
        a.sa_handler(sig);
    pthread_sigmask(SIG_SETMASK, &saved, NULL);
}

static uint64_t hm_thread_cpu_ns(void) {
    struct timespec ts;
    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
        return 0;
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The periods of CPU time this sample stands for: the thread's CPU time since its previous sample,
 * in whole periods (the rest carried to the next). The timer's si_overrun would say the same in
 * principle, but loses periods when the machine is loaded (measured: 17 % of the CPU time). */
static uint64_t hm_sample_weight(hm_sampler_thread *st) {
    uint64_t now = hm_thread_cpu_ns();
    uint64_t total = (now > st->last_cpu_ns ? now - st->last_cpu_ns : 0) + st->carry_ns;
    st->last_cpu_ns = now;
    st->carry_ns = total % (uint64_t)hm_period_ns;
    return total / (uint64_t)hm_period_ns;
}

static void hm_on_sigprof(int sig, siginfo_t *si, void *uc) {
    int saved = errno;
    if (si && si->si_code == SI_TIMER && si->si_value.sival_ptr == (void *)&hm_cookie) {
        hm_tls_self.our_signals++;
        hm_sampler_thread *st = hm_self;
        if (st && atomic_load_explicit(&st->active, memory_order_relaxed) &&
            atomic_load_explicit(&hm_on, memory_order_relaxed)) {
            uint64_t weight = hm_sample_weight(st);
            if (weight)
                hm_take_sample(st, uc, weight);
        }
    } else {
        hm_forward(sig, si, uc);
    }
    errno = saved;
}

/* ---- per-thread states ----------------------------------------------------------------------- */

static hm_sampler_thread *hm_state_get(void) {
    pthread_mutex_lock(&hm_lock);
    hm_sampler_thread *st = hm_free;
    if (st)
        hm_free = st->next_free;
    pthread_mutex_unlock(&hm_lock);
    if (st)
        return st; /* its table was emptied when it was put back */
    st = mmap(NULL, sizeof *st, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (st == MAP_FAILED)
        return NULL;
    if (!hm_sample_table_init(&st->table, HM_THREAD_ENTRIES)) {
        munmap(st, sizeof *st);
        return NULL;
    }
    st->next = atomic_load(&hm_states);
    while (!atomic_compare_exchange_weak(&hm_states, &st->next, st))
        ;
    return st;
}

static void hm_state_put(hm_sampler_thread *st) {
    pthread_mutex_lock(&hm_lock);
    st->next_free = hm_free;
    hm_free = st;
    pthread_mutex_unlock(&hm_lock);
}

static void hm_disarm(hm_sampler_thread *st) {
    int one = 1;
    if (atomic_compare_exchange_strong(&st->armed, &one, 0))
        timer_delete(st->timer);
}

/* The CPU clock of thread `tid` of this process (glibc's MAKE_THREAD_CPUCLOCK(tid, SCHED)), so
 * that the live server can arm threads other than its own (hm_sampler_resume). */
static clockid_t hm_tid_clock(pid_t tid) {
    return (clockid_t)((~(unsigned)tid << 3) | 6u);
}

/* Arm `st`'s thread (the calling one, or another for hm_sampler_resume): `armed` goes 0 -> 2
 * while the timer is made, so two armers never make two timers. */
static void hm_arm(hm_sampler_thread *st) {
    int zero = 0;
    if (!atomic_compare_exchange_strong(&st->armed, &zero, 2))
        return;
    struct sigevent ev;
    memset(&ev, 0, sizeof ev);
    ev.sigev_notify = SIGEV_THREAD_ID;
    ev.sigev_signo = SIGPROF;
    ev.sigev_value.sival_ptr = (void *)&hm_cookie;
    ev._sigev_un._tid = st->tid;
    if (timer_create(hm_tid_clock(st->tid), &ev, &st->timer) != 0) {
        atomic_store(&st->armed, 0);
        static _Atomic int warned;
        if (!atomic_exchange(&warned, 1))
            hm_log("cannot create a CPU timer: ", strerror(errno), "; a thread is not sampled",
                   NULL);
        return;
    }
    struct itimerspec its;
    its.it_interval.tv_sec = hm_period_ns / 1000000000L;
    its.it_interval.tv_nsec = hm_period_ns % 1000000000L;
    its.it_value = its.it_interval;
    struct timespec now;
    st->last_cpu_ns = clock_gettime(hm_tid_clock(st->tid), &now) == 0
                          ? (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec
                          : 0;
    st->carry_ns = 0;
    timer_settime(st->timer, 0, &its, NULL);
    atomic_store(&st->armed, 1);
    if (!atomic_load(&hm_on))
        hm_disarm(st); /* the final write started meanwhile */
}

/* The calling thread starts being sampled into `st`. */
static void hm_thread_begin(hm_sampler_thread *st) {
    pthread_attr_t attr;
    st->stack_lo = st->stack_hi = 0;
    if (pthread_getattr_np(pthread_self(), &attr) == 0) {
        void *addr;
        size_t size;
        if (pthread_attr_getstack(&attr, &addr, &size) == 0) {
            st->stack_lo = (uintptr_t)addr;
            st->stack_hi = (uintptr_t)addr + size;
        }
        pthread_attr_destroy(&attr);
    }
    st->tid = (pid_t)syscall(SYS_gettid);
    hm_self = st;
    pthread_setspecific(hm_key, st);
    atomic_store(&st->active, 1);
    if (atomic_load(&hm_on))
        hm_arm(st);
}

/* Fold a table into the exited threads' one and empty it; the caller holds hm_lock. */
static void hm_merge_locked(hm_sample_table *t) {
    uint32_t used = atomic_load(&t->used);
    for (uint32_t i = 0; i < used; i++)
        hm_sample_table_add(&hm_exited, &t->entries[i], t->entries[i].count);
    hm_exited.dropped += t->dropped;
    hm_sample_table_reset(t);
}

/* pthread_key destructor: the thread is exiting. */
static void hm_thread_end(void *p) {
    hm_sampler_thread *st = p;
    atomic_store(&st->active, 0);
    atomic_signal_fence(memory_order_seq_cst); /* this thread's handler records nothing more */
    hm_disarm(st);
    hm_self = NULL;
    pthread_mutex_lock(&hm_lock);
    hm_merge_locked(&st->table);
    pthread_mutex_unlock(&hm_lock);
    hm_state_put(st);
}

static void hm_after_fork_child(void) {
    pthread_mutex_init(&hm_lock, NULL);
    hm_sampler_thread *me = hm_self;
    hm_free = NULL;
    /* Timers are not inherited, and the other threads do not exist here. */
    for (hm_sampler_thread *st = atomic_load(&hm_states); st; st = st->next) {
        atomic_store(&st->armed, 0);
        hm_sample_table_reset(&st->table);
        if (st != me) {
            atomic_store(&st->active, 0);
            st->next_free = hm_free;
            hm_free = st;
        }
    }
    hm_sample_table_reset(&hm_exited);
    if (!atomic_load(&hm_on))
        return;
    if (me) {
        me->tid = (pid_t)syscall(SYS_gettid); /* the child's thread has an id of its own */
        hm_arm(me);
    } else if ((me = hm_state_get()) != NULL)
        hm_thread_begin(me);
}

/* ---- start, stop, read ----------------------------------------------------------------------- */

/* Start the sampler, taking samples (on) or idle until hm_sampler_resume. */
static bool hm_sampler_start_mode(uint32_t hz, bool on) {
    if (hm_started)
        return true;
    if (hz == 0)
        hz = 1;
    hm_hz = hz;
    hm_period_ns = 1000000000L / (long)hz;
    hm_sigaction_fn real = hm_real_sigaction();
#ifndef HM_TEST_CLOCK
    hm_resolve(&hm_real_signal_p, "signal");
    hm_resolve(&hm_real_pthread_create_p, "pthread_create");
#endif
    if (!real || pthread_key_create(&hm_key, hm_thread_end) != 0 ||
        !hm_sample_table_init(&hm_exited, HM_EXITED_ENTRIES)) {
        hm_log("cannot start the CPU sampler; no cpu profile", NULL, NULL, NULL);
        return false;
    }
    struct sigaction prev, sa;
    real(SIGPROF, NULL, &prev);
    hm_prog_set(&prev);
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = hm_on_sigprof;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigemptyset(&sa.sa_mask);
    if (real(SIGPROF, &sa, NULL) != 0) {
        hm_log("cannot install the SIGPROF handler: ", strerror(errno), "; no cpu profile", NULL);
        return false;
    }
    atomic_store(&hm_owns_sigprof, 1);
    pthread_atfork(NULL, NULL, hm_after_fork_child);
    hm_started = true;
    hm_idle_mode = !on;
    atomic_store(&hm_on, on);
    hm_sampler_thread *st = hm_state_get();
    if (st)
        hm_thread_begin(st);
    return true;
}

bool hm_sampler_start(uint32_t hz) {
    return hm_sampler_start_mode(hz, true);
}

bool hm_sampler_prepare(uint32_t hz) {
    return hm_sampler_start_mode(hz, false);
}

int hm_sampler_resume(void) {
    if (!hm_started)
        return -1;
    int off = 0;
    if (!hm_idle_mode || !atomic_compare_exchange_strong(&hm_on, &off, 1))
        return 0;
    for (hm_sampler_thread *st = atomic_load(&hm_states); st; st = st->next)
        if (atomic_load(&st->active))
            hm_arm(st);
    return 1;
}

void hm_sampler_pause(void) {
    if (hm_idle_mode)
        hm_sampler_stop();
}

void hm_sampler_quiet(bool quiet) {
    hm_quiet = quiet;
}

void hm_sampler_stop(void) {
    atomic_store(&hm_on, 0);
    for (hm_sampler_thread *st = atomic_load(&hm_states); st; st = st->next)
        hm_disarm(st);
}

bool hm_sampler_ran(void) {
    return hm_started;
}

uint32_t hm_sampler_hz(void) {
    return hm_hz;
}

void hm_sampler_for_each_table(hm_sample_table_fn fn, void *ctx) {
    /* The lock keeps an exiting thread's table from being counted both as its own and as merged;
     * bounded, because the writer may run in a signal handler that interrupted its holder. */
    bool locked = false;
    for (int i = 0; i < 200 && !(locked = pthread_mutex_trylock(&hm_lock) == 0); i++)
        sched_yield();
    if (hm_exited.map)
        fn(&hm_exited, ctx);
    for (hm_sampler_thread *st = atomic_load(&hm_states); st; st = st->next)
        if (atomic_load(&st->table.used) || st->table.dropped)
            fn(&st->table, ctx);
    if (locked)
        pthread_mutex_unlock(&hm_lock);
}

/* ---- interposed functions -------------------------------------------------------------------- */
#ifndef HM_TEST_CLOCK

/* A thread made by one of the profiler's own threads: quiet too. */
typedef struct hm_quiet_start {
    void *(*start)(void *);
    void *arg;
} hm_quiet_start;

static void *hm_quiet_trampoline(void *p) {
    hm_quiet_start q = *(hm_quiet_start *)p;
    munmap(p, sizeof q);
    hm_quiet = true;
    return q.start(q.arg);
}

static void *hm_trampoline(void *p) {
    hm_sampler_thread *st = p;
    void *(*start)(void *) = st->start;
    void *arg = st->arg;
    hm_thread_begin(st);
    return start(arg);
}

HM_ABI_EXPORT int pthread_create(pthread_t *restrict thread, const pthread_attr_t *restrict attr,
                                 void *(*start)(void *), void *restrict arg) {
    hm_pthread_create_fn real =
        (hm_pthread_create_fn)hm_resolve(&hm_real_pthread_create_p, "pthread_create");
    if (!real)
        return EAGAIN;
    if (hm_quiet) {
        hm_quiet_start *q =
            mmap(NULL, sizeof *q, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (q == MAP_FAILED)
            return EAGAIN;
        q->start = start;
        q->arg = arg;
        int rc = real(thread, attr, hm_quiet_trampoline, q);
        if (rc != 0)
            munmap(q, sizeof *q);
        return rc;
    }
    hm_threadcreate_note();
    if (!hm_started)
        return real(thread, attr, start, arg);
    int saved = errno;
    hm_sampler_thread *st = hm_state_get();
    errno = saved;
    if (!st)
        return real(thread, attr, start, arg);
    st->start = start;
    st->arg = arg;
    int rc = real(thread, attr, hm_trampoline, st);
    if (rc != 0) {
        saved = errno;
        hm_state_put(st);
        errno = saved;
    }
    return rc;
}

HM_ABI_EXPORT int sigaction(int sig, const struct sigaction *restrict act,
                            struct sigaction *restrict old) {
    if (sig == SIGPROF && atomic_load(&hm_owns_sigprof)) {
        struct sigaction prev = hm_prog_get();
        if (act)
            hm_prog_set(act);
        if (old)
            *old = prev;
        return 0;
    }
    hm_sigaction_fn real = hm_real_sigaction();
    if (!real) {
        errno = ENOSYS;
        return -1;
    }
    return real(sig, act, old);
}

HM_ABI_EXPORT sighandler_t signal(int sig, sighandler_t handler) {
    if (sig == SIGPROF && atomic_load(&hm_owns_sigprof)) {
        if (handler == SIG_ERR) {
            errno = EINVAL;
            return SIG_ERR;
        }
        /* glibc's signal(): BSD semantics, restarting calls, the signal blocked in its handler */
        struct sigaction sa, prev = hm_prog_get();
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = handler;
        sigemptyset(&sa.sa_mask);
        sigaddset(&sa.sa_mask, sig);
        sa.sa_flags = SA_RESTART;
        hm_prog_set(&sa);
        return (prev.sa_flags & SA_SIGINFO) ? (sighandler_t)(uintptr_t)prev.sa_sigaction
                                            : prev.sa_handler;
    }
    sighandler_t (*real)(int, sighandler_t) =
        (sighandler_t(*)(int, sighandler_t))hm_resolve(&hm_real_signal_p, "signal");
    if (!real) {
        errno = ENOSYS;
        return SIG_ERR;
    }
    return real(sig, handler);
}

#endif /* HM_TEST_CLOCK */
