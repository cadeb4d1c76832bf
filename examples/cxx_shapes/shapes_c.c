/* cxx_shapes, the C half: varargs, setjmp/longjmp, musttail, naked, many returns, and a C frame
 * that a C++ exception unwinds through. Compiled as C with -fexceptions (as C code that calls back
 * into C++ must be), so its functions may unwind and the plugin records their exits on the way.
 * See shapes.cpp for the counts.
 */
#include <setjmp.h>
#include <stdarg.h>

int c_varargs_sum(int n, ...) {
    va_list ap;
    int total = 0;
    va_start(ap, n);
    for (int i = 0; i < n; i++)
        total += va_arg(ap, int);
    va_end(ap);
    return total;
}

/* setjmp (returns_twice) in an instrumented function; the frames of jump_deep are left by
 * longjmp, without their exits. */
static jmp_buf jump_env;

static void jump_deep(int depth) {
    if (depth == 0)
        longjmp(jump_env, 40);
    jump_deep(depth - 1);
}

int c_setjmp_user(int depth) {
    volatile int hops = depth;
    int r = setjmp(jump_env);
    if (r == 0) {
        jump_deep(depth);
        return -1;
    }
    return r + hops;
}

/* musttail: the exit call goes before the musttail call. count(n) -> step(n) -> count(n - 1)... */
long c_musttail_step(long n, long acc);

long c_musttail_count(long n, long acc) {
    if (n == 0)
        return acc;
    __attribute__((musttail)) return c_musttail_step(n, acc);
}

long c_musttail_step(long n, long acc) {
    __attribute__((musttail)) return c_musttail_count(n - 1, acc + n);
}

/* naked: never instrumented (there is no frame to call from). */
#if defined(__x86_64__)
__attribute__((naked)) int c_naked_seven(void) {
    __asm__("movl $7, %eax\n\tret");
}
#elif defined(__aarch64__)
__attribute__((naked)) int c_naked_seven(void) {
    __asm__("mov w0, #7\n\tret");
}
#else
#error "cxx_shapes: c_naked_seven needs the target's assembly"
#endif

/* A C frame between a C++ caller and a C++ callback that throws. */
int c_call_back(int (*fn)(int), int x) {
    int r = fn(x);
    return r + 1;
}

/* Many returns (a tiny leaf: heatmap.yaml names it exactly, so the trivial rule does not apply). */
int c_many_returns(int x) {
    if (x < 0)
        return -1;
    switch (x) {
    case 0:
        return 10;
    case 1:
        return 11;
    case 2:
        return 12;
    case 3:
        return 13;
    default:
        break;
    }
    if (x & 1)
        return 100;
    return 200;
}
