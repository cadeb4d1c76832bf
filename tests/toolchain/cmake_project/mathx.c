/* mathx.c: a C static library; mathx.yaml selects mathx_* and leaves helper_* out. */
#include "mathx.h"

int helper_twice(int x) {
    int r = 0;
    for (int i = 0; i < 2; i++)
        r += x;
    return r;
}

int mathx_sum(int n) {
    int s = 0;
    for (int i = 0; i < n; i++)
        s += helper_twice(i);
    return s;
}
