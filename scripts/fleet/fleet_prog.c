/* fleet_prog: one process of scripts/fleet.sh's fleet, a request handler with a fixed workload.
 *
 * usage: fleet_prog STOP_FILE SEED REQUESTS
 *
 * Handles REQUESTS made-up requests (parse, look up, render, compress, log; how much of each
 * depends on SEED, so the three processes rank their functions differently), prints "ready" on
 * stdout, then waits until STOP_FILE exists and exits normally, which writes its results file.
 * main is not instrumented (heatmap.yaml): once "ready" is printed no instrumented function runs
 * or is open, so every scrape from then on sees the final counts and times.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static volatile unsigned long sink;

static void spin(unsigned long n) {
    for (unsigned long i = 0; i < n; i++)
        sink += i * 2654435761u;
}

static void parse_header(unsigned seed, int i) {
    spin(200 + (unsigned long)((i * 7 + (int)seed) % 50) * 20);
}

static void lookup_key(unsigned seed, int i) {
    spin(300 + (unsigned long)((i + (int)seed * 3) % 40) * 30);
}

static void render_page(unsigned seed) {
    spin(4000 + seed * 1500);
}

static void compress_block(int i) {
    spin(1500 + (unsigned long)(i % 16) * 100);
}

static void log_line(void) {
    spin(100);
}

static void handle_request(unsigned seed, int i) {
    parse_header(seed, i);
    for (int k = 0; k <= (i + (int)seed) % 4; k++)
        lookup_key(seed, i + k);
    if (i % (2 + (int)seed) == 0)
        render_page(seed);
    if (seed != 1 || i % 2 == 0)
        compress_block(i);
    log_line();
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: fleet_prog STOP_FILE SEED REQUESTS\n");
        return 2;
    }
    unsigned seed = (unsigned)atoi(argv[2]);
    int requests = atoi(argv[3]);
    for (int i = 0; i < requests; i++)
        handle_request(seed, i);
    printf("ready\n");
    fflush(stdout);
    struct timespec tick = {0, 100 * 1000 * 1000};
    while (access(argv[1], F_OK) != 0)
        nanosleep(&tick, NULL);
    return 0;
}
