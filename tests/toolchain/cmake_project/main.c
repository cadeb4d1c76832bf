/* main.c: calls into both libraries a known number of times (tests/toolchain checks the counts). */
#include "mathx.h"
#include <stdio.h>

int shapes_area(int side);

static int work(int n) {
    int t = 0;
    for (int i = 0; i < n; i++)
        t += shapes_area(i) + mathx_sum(i);
    return t;
}

int main(void) {
    int t = 0;
    for (int i = 0; i < 3; i++)
        t += work(7);
    printf("%d\n", t);
    return 0;
}
