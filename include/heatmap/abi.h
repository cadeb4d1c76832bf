/* heatmap ABI: the contract between the compiler plugin (heatmap.so) and the runtime
 * (libheatmap-rt).
 *
 * The plugin emits, per instrumented function, one static `hm_func_record` and calls
 *     __heatmap_enter_v3(&record)   at the function's entry
 *     __heatmap_exit_v3(&record)    before every return (and before a musttail call)
 * the enter call only when record->state is HM_STATE_TIMED (HM_STATE_PINNED for a pinned one;
 * tested inline: a record marked HM_STATE_OFF calls nothing), and the exit calls only when the
 * entry called enter. A function the runtime has throttled (record->state ==
 * HM_STATE_COUNTED) is counted inline instead of timed: its entry adds one to
 * __heatmap_counts_v3[record->id] when that pointer is not NULL, else calls
 * __heatmap_count_v3(&record), and none of its exits calls the runtime. After a call to a
 * setjmp-like function (setjmp, _setjmp, sigsetjmp, __sigsetjmp) that returns non-zero, i.e. where
 * a longjmp lands, it calls __heatmap_landing_v3 (guarded by __heatmap_recording_v3), also in
 * functions it leaves out of a module that it instruments; a function it instruments that makes
 * such a call is pinned (HM_STATE_PINNED: never count-only). Per module it emits one
 * `hm_module_table` listing its records and registers it from a module constructor with
 * __heatmap_register_v3(&table) (always, whatever the flag).
 *
 * On x86-64, enter, exit and count preserve the general-purpose registers (HM_ABI_HOOK below; new
 * in version 3).
 *
 * The ABI version is part of every symbol name, so an object built by a plugin of one ABI version
 * linked against a runtime of another fails at link time (an object of version 2 against this
 * runtime: "undefined reference to __heatmap_enter_v2"), never silently at run time. Bump
 * HM_ABI_VERSION and the suffixes together whenever a struct below changes layout or meaning.
 *
 * Records live in the instrumented module's data. The runtime copies name and file at registration,
 * so a module that is dlclose()d later still reports its functions.
 *
 * Extending the ABI: an optional element added later (the embedded settings below) carries a
 * version word of its own and makes the objects that have it reference a symbol whose name holds
 * that version, defined by the runtimes that understand it. Objects without the element link and
 * run as before; an object with it fails to link against a runtime that would ignore it.
 */
#ifndef HEATMAP_ABI_H
#define HEATMAP_ABI_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HM_ABI_VERSION 3

/* Per-function record, one per instrumented function per module. Layout is fixed: the plugin builds
 * it as the LLVM struct { ptr, ptr, i32, i32, i8 } (32 bytes with its padding). */
typedef struct hm_func_record {
    const char *name; /* demangled name for C++, plain name for C; never NULL */
    const char
        *file;     /* source file as the compiler saw it (debug info, else the module's source) */
    uint32_t line; /* line of the definition; 0 when unknown (no debug info) */
    uint32_t id;   /* written by the runtime: dense id > 0 once registered; the plugin emits 0 */
    /* Written by the runtime (relaxed), read at every entry: HM_STATE_TIMED (0, what the plugin
     * emits) or HM_STATE_COUNTED once the runtime has throttled the function (id is then > 0).
     * HM_STATE_PINNED is emitted for a function that calls setjmp: its entry calls enter, never
     * counts, and the runtime never throttles it, so that a longjmp landing in it finds its frame
     * (__heatmap_landing_v3). The runtime adds HM_STATE_OFF to every record of a module it
     * registers while the run records nothing (HEATMAP=off): such an entry calls nothing. */
    uint8_t state;
} hm_func_record;

#define HM_STATE_TIMED 0
#define HM_STATE_COUNTED 1
#define HM_STATE_PINNED 2
#define HM_STATE_OFF 4 /* a bit, added to TIMED or PINNED */

/* Per-module table; the plugin emits it with `records` pointing at an array of `count` pointers. */
typedef struct hm_module_table {
    uint32_t abi_version; /* HM_ABI_VERSION of the plugin that emitted it */
    uint32_t count;
    hm_func_record *const *records;
} hm_module_table;

#define HM_ABI_EXPORT __attribute__((visibility("default")))

/* The hooks that instrumented code calls on every call (enter, exit, count) preserve every
 * general-purpose register but r11 on x86-64: the plugin calls them with LLVM's preserve_mostcc,
 * which leaves r11 and the vector registers to the caller, and through the GOT (nonlazybind), never
 * through a lazily bound PLT entry, whose resolver in glibc does not preserve r10. A small function
 * then keeps its values where they are across the hooks: no register saves, no moves, so
 * instrumented code compiled in is nearly free while its calls are not made (recording off,
 * count-only). clang defines them with the same convention; gcc, which lacks it, with
 * no_caller_saved_registers, which preserves every general-purpose register (clang's version of
 * that attribute does not preserve the argument registers, hence the two). gcc requires the file
 * that defines such functions to be compiled without SSE code (-mgeneral-regs-only:
 * runtime/CMakeLists.txt). On other targets the hooks follow the C convention. */
#if defined(__x86_64__) && defined(__clang__)
#define HM_ABI_HOOK __attribute__((preserve_most))
#elif defined(__x86_64__) && defined(__GNUC__)
#define HM_ABI_HOOK __attribute__((no_caller_saved_registers))
#else
#define HM_ABI_HOOK
#endif

/* Entry points defined by the runtime. Enter and exit are the hot path: async-signal-safe, no
 * allocation, no lock, no syscall once the calling thread has seen the function. */
HM_ABI_EXPORT HM_ABI_HOOK void __heatmap_enter_v3(hm_func_record *record);
HM_ABI_EXPORT HM_ABI_HOOK void __heatmap_exit_v3(hm_func_record *record);
HM_ABI_EXPORT void __heatmap_register_v3(hm_module_table *table);
/* Count one call of a throttled function while the calling thread's __heatmap_counts_v3 is NULL
 * (its first count-only call; after its exit: then dropped). Async-signal-safe, no lock. */
HM_ABI_EXPORT HM_ABI_HOOK void __heatmap_count_v3(hm_func_record *record);
/* A longjmp has landed in the calling function (its setjmp returned non-zero): every frame the
 * runtime holds above that function's activation was unwound without its exit, and is closed now,
 * as if those calls returned then. `record` is the function's record when this activation called
 * __heatmap_enter_v3; NULL when it did not (recording was off at its entry, or the function is not
 * instrumented): then the frames below the caller's stack pointer are the unwound ones.
 * Async-signal-safe, no lock; nothing to close costs a few loads. Without it, a landing function
 * that calls again from the same stack address (a loop around setjmp, or a function with no frame
 * of its own) left the unwound frames open, one more per longjmp. */
HM_ABI_EXPORT void __heatmap_landing_v3(hm_func_record *record);
/* The calling thread's count-only counters, indexed by a record's id, in initial-exec TLS: NULL
 * until the thread's first count-only call, then an array that never moves and covers every id
 * the runtime throttles (it never throttles a function whose id lies beyond it). */
HM_ABI_EXPORT extern __thread uint64_t *__heatmap_counts_v3
    __attribute__((tls_model("initial-exec")));

/* Recording on (non-zero) or off (0), defined by the runtime: off until it has started, when
 * HEATMAP=off, and after it has written its results. The plugin guards the landing calls with it
 * (a relaxed atomic 32-bit load); enter, exit and count test it themselves, for the moments before
 * the runtime starts and after it has written (a run with HEATMAP=off never calls them: its
 * records are marked HM_STATE_OFF). Only the runtime writes it (atomically). */
HM_ABI_EXPORT extern int __heatmap_recording_v3;

/* Embedded settings (heatmap.yaml's `runtime:` section, include/heatmap/settings.h). The plugin
 * puts one hm_settings_record into section HM_SETTINGS_SECTION of every module it instruments
 * whose config has a `runtime:` section, as a constant 4-byte aligned global kept by llvm.used,
 * and makes the module reference __heatmap_settings_v1. The linker lays the records of all
 * objects out one after another in link order (zero padding to 4 bytes between them); the runtime
 * finds them through the linker's __start_heatmap_settings / __stop_heatmap_settings, declared
 * weak (absent when no object has a record), and heatmap-view reads the section from the program
 * file. The record holds no pointer, so the file's bytes are the record. */
#define HM_SETTINGS_SECTION "heatmap_settings"
#define HM_SETTINGS_VERSION 1

typedef struct hm_settings_record {
    uint32_t version; /* HM_SETTINGS_VERSION; every later version keeps these two words first */
    uint32_t size;    /* bytes of text, its terminating NUL included */
    char text[];      /* "#config=PATH\nHEATMAP_OUTPUT=out.json\n...", NUL-terminated */
} hm_settings_record;

/* Defined by a runtime that applies version-1 records (its value is HM_SETTINGS_VERSION). */
HM_ABI_EXPORT extern const uint32_t __heatmap_settings_v1;

/* Name of the module-level marker global that the plugin emits once per module, so that running
 * the pass twice on a module does not instrument it twice. */
#define HM_MODULE_MARKER "__heatmap_instrumented_module"

#ifdef __cplusplus
}
#endif
#endif /* HEATMAP_ABI_H */
