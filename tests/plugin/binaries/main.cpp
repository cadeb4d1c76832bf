/* binaries: an instrumented executable with an instrumented shared library it links against
 * (liblinked.so, C++, throws through its own frames into the executable) and one it dlopen()s
 * (libloaded.so, C, unloaded with dlclose() before exit). run_binaries.sh builds it as PIE and
 * as non-PIE and checks the counts of expected.txt; the library's records register and count like
 * the executable's own.
 */
#include <cstdio>
#include <dlfcn.h>
#include <stdexcept>

int linked_work(int x); /* liblinked.so: throws for multiples of 4 */

static int call_linked(int rounds) {
    int caught = 0, sum = 0;
    for (int i = 0; i < rounds; i++) {
        try {
            sum += linked_work(i);
        } catch (const std::runtime_error &) {
            caught++;
        }
    }
    std::printf("linked: sum %d, caught %d\n", sum, caught);
    return caught;
}

static int call_loaded(const char *path, int rounds) {
    void *lib = dlopen(path, RTLD_NOW);
    if (!lib) {
        std::printf("dlopen failed\n");
        return -1;
    }
    int (*work)(int) = reinterpret_cast<int (*)(int)>(dlsym(lib, "loaded_work"));
    int sum = 0;
    for (int i = 0; work && i < rounds; i++)
        sum += work(i);
    dlclose(lib);
    std::printf("loaded: sum %d\n", sum);
    return sum;
}

int main(int argc, char **argv) {
    call_linked(12);
    call_loaded(argc > 1 ? argv[1] : "./libloaded.so", 5);
    return 0;
}
