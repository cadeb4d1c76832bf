/* lazybind: a function that keeps many values in registers across its hooks, compiled before
 * inlining so that its small helpers are instrumented calls inside its loop. Its result must be
 * the plain build's, with the hooks bound lazily or not: glibc's lazy-binding resolver does not
 * preserve r10, which a caller of the preserve_mostcc hooks keeps values in (abi.h, HM_ABI_HOOK),
 * so the hooks must never be reached through a lazily bound PLT entry. From the zstd realworld
 * project's reproducer. */
#include <stdio.h>
#include <stdlib.h>

static unsigned mix(unsigned x, unsigned k) {
    x ^= x >> 13;
    x *= k | 1u;
    return x ^ (x >> 11);
}
static unsigned rot(unsigned x, int r) {
    return (x << (r & 31)) | (x >> ((32 - r) & 31));
}
__attribute__((noinline)) unsigned work(const unsigned *a, int n) {
    unsigned s0 = 1, s1 = 2, s2 = 3, s3 = 4, s4 = 5, s5 = 6, s6 = 7, s7 = 8, s8 = 9, s9 = 10,
             s10 = 11, s11 = 12;
    for (int i = 0; i < n; i++) {
        s0 += mix(a[i], s1);
        s1 ^= rot(s0, s2);
        s2 += mix(s1, s3);
        s3 ^= rot(s2, s4);
        s4 += mix(s3, s5);
        s5 ^= rot(s4, s6);
        s6 += mix(s5, s7);
        s7 ^= rot(s6, s8);
        s8 += mix(s7, s9);
        s9 ^= rot(s8, s10);
        s10 += mix(s9, s11);
        s11 ^= rot(s10, s0);
    }
    return s0 ^ s1 ^ s2 ^ s3 ^ s4 ^ s5 ^ s6 ^ s7 ^ s8 ^ s9 ^ s10 ^ s11;
}
int main(void) {
    enum { N = 200000 };
    unsigned *a = malloc(N * sizeof *a);
    if (!a)
        return 2;
    for (int i = 0; i < N; i++)
        a[i] = (unsigned)i * 2654435761u;
    printf("%08x\n", work(a, N));
    free(a);
    return 0;
}
