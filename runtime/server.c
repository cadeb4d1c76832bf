/* The live server's runtime half: HEATMAP_PROFILER=on binds a socket and hands it, with callbacks
 * that write the data so far, to the HTTP server inside libheatmap-export.
 *
 * Design (docs/server.md). The runtime stays libc + libdl + pthreads: HTTP, pprof encoding and
 * symbolization live in libheatmap-export, the library the runtime already dlopen()s for the
 * at-exit profiles, and are loaded only when the server is asked for. This file does what only
 * the runtime can: it binds the listening socket itself (SOCK_CLOEXEC; so a busy port or a bad
 * host is one stderr line of ours that names host, port and why, and the program runs on), and it
 * offers callbacks (include/heatmap/export_api.h, hm_server_host_v1) that write the results so far,
 * the trace so far, and the live and thread-creation stacks into a descriptor the library made (a
 * memory file) with the same writers as the files at exit. So every response is built by the same
 * writer and the same encoder as the corresponding file; nothing runs between requests.
 *
 * Rules the server keeps for the program: its threads are made quiet (never sampled, never counted
 * as the program's thread creations, hm_sampler_quiet) and with every signal blocked, so the
 * program's handlers never run on them; it forks nothing; its descriptors are close-on-exec, and a
 * forked child closes the ones the server made (found by comparing /proc/self/fd before and after
 * the start) and never serves; the lifecycle stops it before the final write, which joins its
 * threads, so the final results file is written as without the server.
 *
 * Layer 5 (rt.h), the lifecycle's helper: calls the writers (results, trace), the hot path's read
 * side (thread order, shadow stacks), the sampler (resume, pause, quiet), threadcreate.c, the
 * registry, json_out and log; called by lifecycle.c (start, stop) and, through the callbacks, by
 * the server threads of libheatmap-export.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "heatmap/export_api.h"
#include "heatmap/settings.h"
#include "json_out.h"
#include "rt.h"

#define HM_SERVER_MAX_FD 4096 /* descriptors above this one are not tracked for the fork child */

static void *hm_server; /* the library's server, NULL when none runs */
static hm_server_stop_fn hm_server_stop_p;
static pid_t hm_server_pid; /* the process that serves */
static hm_server_host_v1 hm_host;
static unsigned char hm_before[HM_SERVER_MAX_FD / 8], hm_ours[HM_SERVER_MAX_FD / 8];

/* ---- the callbacks ----------------------------------------------------------------------------
 */

/* Threads exit while a snapshot reads them: their memory stays until the read is over
 * (hm_live_readers, rt_hot.h). */
static void hm_read_begin(void) {
    atomic_fetch_add(&hm_live_readers, 1);
}

static void hm_read_end(void) {
    atomic_fetch_sub(&hm_live_readers, 1);
}

static int hm_cb_results(int fd) {
    hm_thread_order order;
    hm_read_begin();
    int rc = -1;
    if (hm_thread_order_make(&order)) {
        rc = hm_write_results_fd(fd, "live", &order);
        hm_thread_order_release(&order);
    }
    hm_read_end();
    return rc;
}

static int hm_cb_trace(int fd) {
    if (!hm_rt.trace)
        return -1;
    hm_thread_order order;
    hm_read_begin();
    int rc = -1;
    if (hm_thread_order_make(&order)) {
        rc = hm_write_trace_fd(fd, &order);
        hm_thread_order_release(&order);
    }
    hm_read_end();
    return rc;
}

/* One stack entry: [count, [id, ...]] (ids innermost first). */
static void hm_put_stack(hm_out *o, bool *first, uint64_t count, const uint32_t *ids, uint32_t n) {
    hm_puts(o, *first ? "\n  [" : ",\n  [");
    hm_put_u64(o, count);
    hm_puts(o, ", [");
    for (uint32_t i = 0; i < n; i++) {
        if (i)
            hm_puts(o, ", ");
        hm_put_u64(o, ids[i]);
    }
    hm_puts(o, "]]");
    *first = false;
}

typedef struct hm_stacks_ctx {
    hm_out *o;
    bool first;
} hm_stacks_ctx;

static void hm_put_site(uint64_t count, const uint32_t *ids, uint32_t n, void *p) {
    hm_stacks_ctx *c = p;
    hm_put_stack(c->o, &c->first, count, ids, n);
}

/* A live thread's shadow stack, read from another thread: racy but bounded, as hm_open_view is
 * (the depth is read once and clamped; a frame being pushed meanwhile may show its old id). */
static uint32_t hm_live_stack(const hm_thread_data *d, uint32_t *ids) {
    const hm_tls *t = d->tls;
    if (!t || atomic_load(&((hm_thread_data *)d)->merged))
        return 0;
    uint32_t depth = __atomic_load_n(&t->depth, __ATOMIC_RELAXED);
    uint32_t cap = __atomic_load_n(&t->capacity, __ATOMIC_RELAXED);
    const hm_frame *stack = __atomic_load_n(&t->stack, __ATOMIC_RELAXED);
    if (!stack)
        return 0;
    if (depth > cap)
        depth = cap;
    uint32_t n = 0;
    for (uint32_t i = depth; i > 0 && n < HM_SAMPLE_STACK; i--)
        ids[n++] = __atomic_load_n(&stack[i - 1].id, __ATOMIC_RELAXED);
    return n;
}

int hm_write_stacks_fd(int kind, int fd) {
    hm_out *o = mmap(NULL, sizeof *o, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (o == MAP_FAILED)
        return -1;
    hm_out_use_fd(o, fd);
    hm_puts(o, "{\"functions\": [");
    uint32_t nfun = hm_registry_count();
    bool first = true;
    for (uint32_t id = 1; id <= nfun; id++) {
        const hm_func_meta *m = hm_registry_meta(id);
        if (!m || m->internal)
            continue;
        hm_puts(o, first ? "\n  [" : ",\n  [");
        hm_put_u64(o, id);
        hm_puts(o, ", ");
        hm_put_json_string(o, m->name);
        hm_puts(o, ", ");
        hm_put_json_string(o, m->file ? m->file : "");
        hm_put_key_u64(o, ", ", m->line);
        hm_puts(o, "]");
        first = false;
    }
    hm_puts(o, "],\n\"stacks\": [");
    hm_stacks_ctx c = {o, true};
    if (kind == 1) {
        hm_threadcreate_for_each(hm_put_site, &c);
    } else {
        hm_thread_order order;
        hm_read_begin();
        if (hm_thread_order_make(&order)) {
            for (uint32_t i = 0; i < order.n; i++) {
                uint32_t ids[HM_SAMPLE_STACK];
                const hm_thread_data *d = order.v[i];
                if (d && !atomic_load(&((hm_thread_data *)d)->merged))
                    hm_put_stack(o, &c.first, 1, ids, hm_live_stack(d, ids));
            }
            hm_thread_order_release(&order);
        }
        hm_read_end();
    }
    hm_puts(o, "]}\n");
    int rc = hm_out_finish_fd(o);
    munmap(o, sizeof *o);
    return rc;
}

static int hm_cb_cpu_begin(void) {
    return hm_sampler_resume();
}

static void hm_cb_cpu_end(void) {
    hm_sampler_pause();
}

static unsigned long long hm_cb_trace_now(void) {
    uint64_t now = hm_clock_now();
    return hm_ticks_to_ns(now > hm_rt.start_tick ? now - hm_rt.start_tick : 0,
                          hm_rt.ns_per_tick_fp);
}

static void hm_cb_log(const char *line) {
    hm_log(line, NULL, NULL, NULL);
}

/* ---- descriptors and fork ---------------------------------------------------------------------
 */

static void hm_fd_scan(unsigned char *bits) {
    memset(bits, 0, HM_SERVER_MAX_FD / 8);
    DIR *dir = opendir("/proc/self/fd");
    if (!dir)
        return;
    int self = dirfd(dir);
    for (struct dirent *e; (e = readdir(dir)) != NULL;) {
        int fd = atoi(e->d_name);
        if (e->d_name[0] >= '0' && e->d_name[0] <= '9' && fd != self && fd < HM_SERVER_MAX_FD)
            bits[fd / 8] |= (unsigned char)(1u << (fd % 8));
    }
    closedir(dir);
}

/* A forked child has no serving thread: it closes the server's descriptors and never stops it. */
static void hm_server_after_fork_child(void) {
    atomic_store(&hm_live_readers, 0); /* the readers were the parent's server threads */
    if (!hm_server)
        return;
    for (int fd = 0; fd < HM_SERVER_MAX_FD; fd++)
        if (hm_ours[fd / 8] & (1u << (fd % 8)))
            close(fd);
    hm_server = NULL;
}

/* ---- start and stop ----------------------------------------------------------------------------
 */

/* "HOST:PORT" (IPv6 in brackets) into out. */
static void hm_host_port(const char *host, const char *port, char *out, size_t size) {
    size_t n = 0;
    bool v6 = strchr(host, ':') != NULL;
    out[0] = '\0';
    hm_append(out, size, &n, "[", v6);
    hm_append(out, size, &n, host, strlen(host));
    hm_append(out, size, &n, "]", v6);
    hm_append(out, size, &n, ":", 1);
    hm_append(out, size, &n, port, strlen(port));
}

static bool hm_is_loopback(const struct sockaddr *sa) {
    if (sa->sa_family == AF_INET)
        return (ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr) >> 24) == 127;
    if (sa->sa_family == AF_INET6)
        return IN6_IS_ADDR_LOOPBACK(&((const struct sockaddr_in6 *)sa)->sin6_addr);
    return false;
}

/* Bind and listen on host:port; the socket, or -1 after one stderr line. *loopback says whether
 * the address is a loopback one; bound[] gets the port actually bound (port 0: the kernel's). */
static int hm_listen(const char *host, const char *port, bool *loopback, char *bound, size_t size) {
    char where[300];
    hm_host_port(host, port, where, sizeof where);
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    int gai = getaddrinfo(host, port, &hints, &res);
    if (gai != 0 || !res) {
        hm_log("profiler server not started: cannot resolve HEATMAP_PROFILER_HOST in ", where, ": ",
               gai_strerror(gai));
        return -1;
    }
    int fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1, err = 0;
    if (fd < 0)
        err = errno;
    else if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
             bind(fd, res->ai_addr, res->ai_addrlen) != 0 || listen(fd, 16) != 0)
        err = errno;
    *loopback = hm_is_loopback(res->ai_addr);
    freeaddrinfo(res);
    if (err) {
        if (fd >= 0)
            close(fd);
        hm_log("profiler server not started: cannot listen on ", where, ": ", strerror(err));
        return -1;
    }
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    uint64_t p = 0;
    if (getsockname(fd, (struct sockaddr *)&ss, &len) == 0)
        p = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                           : ((struct sockaddr_in *)&ss)->sin_port);
    bound[hm_format_u64(p, bound)] = '\0';
    (void)size;
    return fd;
}

void hm_server_start(const char *host, const char *port, uint32_t hz, const char *library) {
    /* The port: digits, 0..65535 (0: any free port, named on stderr); settings.h's rule, which
     * heatmap.yaml's runtime.profiler_port is held to at compile time. */
    uint32_t p = 0;
    if (!hm_settings_parse_uint(port, 0, 65535, &p)) {
        char where[300];
        hm_host_port(host, port, where, sizeof where);
        hm_log("profiler server not started on ", where,
               ": HEATMAP_PROFILER_PORT must be a port number 0..65535", NULL);
        return;
    }
    bool loopback = true;
    char bound[24];
    int fd = hm_listen(host, port, &loopback, bound, sizeof bound);
    if (fd < 0)
        return;
    char where[300], url[400];
    hm_host_port(host, bound, where, sizeof where);
    size_t n = 0;
    hm_append(url, sizeof url, &n, "http://", 7);
    hm_append(url, sizeof url, &n, where, strlen(where));
    hm_append(url, sizeof url, &n, "/debug/pprof/", 13);
    hm_fd_scan(hm_before);
    char tried[1024];
    const char *name;
    void *lib = hm_export_open(library, tried, sizeof tried, &name);
    hm_server_start_fn start = lib ? (hm_server_start_fn)dlsym(lib, HM_SERVER_START_SYMBOL) : NULL;
    hm_server_stop_p = lib ? (hm_server_stop_fn)dlsym(lib, HM_SERVER_STOP_SYMBOL) : NULL;
    if (!start || !hm_server_stop_p) {
        const char *why = dlerror();
        close(fd);
        hm_log("profiler server not started on ", where, ": ", why ? why : name);
        return;
    }
    hm_sampler_prepare(hz);
    hm_host = (hm_server_host_v1){sizeof hm_host,     fd,
                                  hm_cb_results,      hm_cb_trace,
                                  hm_write_stacks_fd, hm_cb_cpu_begin,
                                  hm_cb_cpu_end,      hm_cb_trace_now,
                                  hm_cb_log};
    /* The server's threads inherit a full signal mask and quietness from this thread. */
    sigset_t all, saved;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &saved);
    hm_sampler_quiet(true);
    char err[512] = "";
    hm_server = start(&hm_host, err, sizeof err);
    hm_sampler_quiet(false);
    pthread_sigmask(SIG_SETMASK, &saved, NULL);
    if (!hm_server) {
        err[sizeof err - 1] = '\0';
        hm_log("profiler server not started on ", where, ": ", err[0] ? err : "the library failed");
        return;
    }
    hm_server_pid = getpid();
    unsigned char after[sizeof hm_ours];
    hm_fd_scan(after);
    for (size_t i = 0; i < sizeof hm_ours; i++)
        hm_ours[i] = after[i] & (unsigned char)~hm_before[i];
    hm_ours[fd / 8] |= (unsigned char)(1u << (fd % 8));
    pthread_atfork(NULL, NULL, hm_server_after_fork_child);
    if (!loopback)
        hm_log("profiler server on ", url,
               " is not on a loopback address: anyone who can reach it can read the profiles",
               NULL);
    else if (p == 0 || hm_rt.verbose)
        hm_log("profiler server on ", url, NULL, NULL);
}

void hm_server_stop(void) {
    if (!hm_server || getpid() != hm_server_pid)
        return;
    void *server = hm_server;
    hm_server = NULL;
    hm_server_stop_p(server);
}
