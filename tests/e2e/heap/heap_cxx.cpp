// tests/e2e/heap: C++ new/delete of objects and arrays (operator new reaches malloc).
struct Obj {
    long a[5]; // 40 bytes
};

static volatile long sink;
static void *volatile escape; // so the compiler cannot elide a new it sees deleted

extern "C" __attribute__((noinline)) void cxx_objects(void) {
    Obj *v[5];
    for (int i = 0; i < 5; i++) {
        v[i] = new Obj();
        escape = v[i];
        v[i]->a[0] = i;
    }
    for (int i = 0; i < 5; i++) {
        sink += v[i]->a[0];
        delete v[i];
    }
}

extern "C" __attribute__((noinline)) void cxx_array(void) {
    int *a = new int[25]; // 100 bytes
    escape = a;
    a[24] = 1;
    sink += a[24];
    delete[] a;
}
