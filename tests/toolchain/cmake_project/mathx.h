/* mathx.h: the static library's interface. */
int mathx_sum(int n);
int helper_twice(int x);
