/* registers: the runtime's hooks leave the general-purpose registers as they found them (abi.h,
 * HM_ABI_HOOK: instrumented code keeps its values in any of them across a hook), in every path
 * they take: a thread's first call, a function's first call (registration), the fast path, the
 * throttling check, the first count-only call, an exit without its enter, a new thread; robust.sh
 * runs it again with the monotonic clock, with tracing and with recording off. Each hook is called
 * through hm_call_checked (call_checked_x86_64.S), which sets every register to a known value and
 * reports the ones the call changed. x86-64 only. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>

#include "heatmap/abi.h"

uint32_t hm_call_checked(const void *hook, void *arg);

static hm_func_record rec_outer = {"reg_outer", "registers.c", 1, 0, HM_STATE_TIMED};
static hm_func_record rec_inner = {"reg_inner", "registers.c", 2, 0, HM_STATE_TIMED};
static hm_func_record rec_lone = {"reg_lone", "registers.c", 3, 0, HM_STATE_TIMED};
static hm_func_record *records[] = {&rec_outer, &rec_inner, &rec_lone};
static hm_module_table table = {HM_ABI_VERSION, 3, records};

static const char *const names[] = {"rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "r8",
                                    "r9",  "r10", "r12", "r13", "r14", "r15", "rsp"};
static int failures;

static void check(const char *what, const void *hook, hm_func_record *record) {
    uint32_t changed = hm_call_checked(hook, record);
    if (!changed)
        return;
    if (failures++ < 20) {
        fprintf(stderr, "FAIL: %s changed", what);
        for (unsigned i = 0; i < sizeof names / sizeof *names; i++)
            if (changed & (1u << i))
                fprintf(stderr, " %s", names[i]);
        fprintf(stderr, "\n");
    }
}

static void *every_path(void *unused) {
    (void)unused;
    const void *enter = (const void *)__heatmap_enter_v3, *exit_ = (const void *)__heatmap_exit_v3;
    check("first enter", enter, &rec_outer);
    check("first exit", exit_, &rec_outer);
    /* Past HEATMAP_THROTTLE_CALLS (robust.sh sets 256): throttling checks, then count-only. */
    for (int i = 0; i < 2000; i++) {
        check("enter", enter, &rec_outer);
        if (__atomic_load_n(&rec_inner.state, __ATOMIC_RELAXED) == HM_STATE_TIMED) {
            check("nested enter", enter, &rec_inner);
            check("nested exit", exit_, &rec_inner);
        } else {
            check("count", (const void *)__heatmap_count_v3, &rec_inner);
        }
        check("exit", exit_, &rec_outer);
    }
    check("exit without its enter", exit_, &rec_lone);
    return NULL;
}

int main(void) {
    __heatmap_register_v3(&table);
    /* A run that records nothing marks every record registered off (abi.h): its calls call nothing. */
    printf("records %s\n", (rec_outer.state & HM_STATE_OFF) ? "off" : "on");
    every_path(NULL);
    pthread_t thread;
    if (pthread_create(&thread, NULL, every_path, NULL) != 0 || pthread_join(thread, NULL) != 0)
        return 2;
    if (failures)
        fprintf(stderr, "%d hook calls changed registers\n", failures);
    else
        printf("registers preserved; %s throttled\n",
               rec_inner.state == HM_STATE_COUNTED ? "reg_inner" : "nothing");
    return failures ? 1 : 0;
}
