// C++ exceptions through instrumented frames, for robust.sh's throttle mode.
//
// usage: robust_cxx N   catcher() calls thrower(i) for i < N; thrower throws every 100th call
// (from leaf(), two frames down) and catcher catches. Counts: catcher N, thrower N, leaf N,
// caught N/100 rounded up, plus after() once. With throttling, thrower and leaf are throttled while
// exceptions keep going through them; their counts must not change.
#include <cstdio>
#include <cstdlib>
#include <stdexcept>

static volatile unsigned long sink;

__attribute__((noinline)) void leaf(int i) {
    sink += static_cast<unsigned long>(i);
    if (i % 100 == 0)
        throw std::runtime_error("hundred");
}

__attribute__((noinline)) void thrower(int i) {
    leaf(i);
    sink += 1;
}

__attribute__((noinline)) void caught(void) {
    sink += 2;
}

__attribute__((noinline)) void catcher(int i) {
    try {
        thrower(i);
    } catch (const std::exception &) {
        caught();
    }
}

__attribute__((noinline)) void after(void) {
    sink += 3;
}

int main(int argc, char **argv) {
    int n = argc > 1 ? std::atoi(argv[1]) : 3000;
    for (int i = 0; i < n; i++)
        catcher(i);
    after();
    std::printf("done %d\n", n);
    return 0;
}
