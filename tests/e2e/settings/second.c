/* tests/e2e/settings, mode twoobjects: a second object, compiled with other.yaml's settings. */
volatile unsigned long second_sink;

void second_work(int n) {
    for (int i = 0; i < n; i++)
        second_sink += (unsigned long)i;
}
