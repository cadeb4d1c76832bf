/* The program the cpu-profile tests symbolize: it prints the addresses a CPU sample of it holds.
 *
 * Built with -g -O0 (tests/export/export.cmake). Each function records the return address it was
 * called with, so the generator (gen_cpu_fixture.py) gets real leaf pcs (function entries) and real
 * return addresses at known call lines, plus the process's executable mappings, and writes a
 * results file whose cpu_profile section uses them. The "@L:" markers name the lines the tests
 * expect; the generator finds them in this file, so the file may be reformatted freely.
 */
#include <stdio.h>
#include <string.h>

static void *volatile recorded[3];
static volatile int sink;

__attribute__((noinline)) void spin(void) { /* @L:spin_decl */
    recorded[0] = __builtin_return_address(0);
    sink++;
}

__attribute__((noinline)) void work(void) { /* @L:work_decl */
    spin();                                 /* @L:work_calls_spin */
    recorded[1] = __builtin_return_address(0);
}

__attribute__((noinline)) void probe(void) { /* @L:probe_decl */
    recorded[2] = __builtin_return_address(0);
}

static inline __attribute__((always_inline)) void helper(void) { /* @L:helper_decl */
    probe();                                                     /* @L:helper_calls_probe */
    sink++;
}

__attribute__((noinline)) void outer(void) { /* @L:outer_decl */
    helper();                                /* @L:outer_calls_helper */
    sink++;
}

__attribute__((noinline)) void run(void) { /* @L:run_decl */
    work();                                /* @L:run_calls_work */
    outer();
}

int main(void) { /* @L:main_decl */
    run();
    printf("spin %p\nprobe %p\nra_spin %p\nra_work %p\nra_probe %p\n", (void *)spin, (void *)probe,
           recorded[0], recorded[1], recorded[2]);
    FILE *maps = fopen("/proc/self/maps", "r");
    char line[4096];
    while (maps != NULL && fgets(line, sizeof line, maps) != NULL)
        if (strstr(line, " r-xp ") != NULL)
            printf("map %s", line);
    if (maps != NULL)
        fclose(maps);
    return 0;
}
