/* A program for the live server's end-to-end test of snapshots against exiting threads: rounds
 * of 8 short-lived threads running instrumented code, until the file argv[1] exists (at most
 * 100000 rounds), then "done". The test reads /debug/heatmap, goroutine and /metrics meanwhile:
 * a snapshot must never read the memory of a thread that exits under it. */
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static volatile unsigned long sink;

__attribute__((noinline)) static void leaf(int i) {
    for (int k = 0; k < 1000 + i; k++)
        sink += (unsigned long)k;
}

__attribute__((noinline)) static void mid(int i) {
    for (int k = 0; k < 50; k++)
        leaf(i + k);
}

static void *worker(void *a) {
    for (int i = 0; i < 20; i++)
        mid((int)(long)a + i);
    return NULL;
}

int main(int argc, char **argv) {
    for (int round = 0; argc > 1 && access(argv[1], F_OK) != 0 && round < 100000; round++) {
        pthread_t t[8];
        for (long i = 0; i < 8; i++)
            if (pthread_create(&t[i], NULL, worker, (void *)i) != 0)
                return 2;
        for (int i = 0; i < 8; i++)
            pthread_join(t[i], NULL);
    }
    printf("done\n");
    return 0;
}
