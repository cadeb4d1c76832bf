/* libloaded.so for tests/plugin/binaries: dlopen()ed, called, dlclose()d before exit. */
static int loaded_square(int x) {
    int r = 0;
    for (int i = 0; i < x; i++)
        r += x;
    return r;
}

int loaded_work(int x) {
    return loaded_square(x) + 1;
}
