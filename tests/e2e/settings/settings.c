/* tests/e2e/settings: a program whose heatmap.yaml has a runtime: section. Three functions with
 * different call counts, so that heatmap-view's top-N shows which setting applied. */
#include <stdio.h>

volatile unsigned long sink;

void work_a(int n) {
    for (int i = 0; i < n; i++)
        sink += (unsigned long)i * i;
}

void work_b(int n) {
    for (int i = 0; i < n; i++)
        sink ^= (unsigned long)i;
}

void work_c(int n) {
    for (int i = 0; i < n; i++)
        sink += (unsigned long)i;
}

int main(void) {
    for (int i = 0; i < 300; i++)
        work_a(1000);
    for (int i = 0; i < 200; i++)
        work_b(1000);
    for (int i = 0; i < 100; i++)
        work_c(1000);
    printf("done %lu\n", sink > 0 ? 1ul : 0ul);
    return 0;
}
