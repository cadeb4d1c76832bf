/* liblinked.so for tests/plugin/binaries: two frames that a C++ exception leaves. */
#include <stdexcept>

static int linked_check(int x) {
    if (x % 4 == 0)
        throw std::runtime_error("multiple of 4");
    int r = 0;
    for (int i = 0; i < x; i++)
        r += i;
    return r;
}

int linked_work(int x) {
    return linked_check(x) + 1;
}
