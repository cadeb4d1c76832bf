#!/usr/bin/env python3
"""Writes a deterministic, compressible input for scripts/realworld.sh's zstd project.

    make_input.py OUT MEGABYTES

A log-like text: lines made of a few fixed templates, timestamps that advance, and words and
numbers drawn from a small vocabulary by a fixed pseudo-random generator (xorshift64*, seeded
with a constant), so the same bytes on every machine and Python version. It compresses about
4-5x with zstd -3: long repeats for the match finders, and enough novelty that every block has
literals and short matches (the hot hashing and memory-read helpers run all the time).
"""
import sys

WORDS = ("alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho "
         "sigma tau upsilon phi chi psi omega request response session token cache miss hit "
         "read write open close commit rollback insert update delete select index table column "
         "buffer queue worker thread lock unlock wait signal retry timeout error warning notice "
         "user admin guest service backend frontend gateway proxy balancer shard replica leader").split()
LEVELS = ("INFO", "INFO", "INFO", "DEBUG", "WARN", "ERROR")
PATHS = ("/api/v1/users", "/api/v1/orders", "/api/v2/search", "/static/img", "/login", "/health")


class Rng:
    """xorshift64*: small, fast enough, and the same everywhere"""

    def __init__(self, seed):
        self.s = seed

    def next(self):
        s = self.s
        s ^= s >> 12
        s ^= (s << 25) & 0xFFFFFFFFFFFFFFFF
        s ^= s >> 27
        self.s = s
        return (s * 0x2545F4914F6CDD1D) & 0xFFFFFFFFFFFFFFFF

    def below(self, n):
        return (self.next() >> 33) % n


def main(argv):
    if len(argv) != 2 or not argv[1].isdigit() or int(argv[1]) < 1:
        print("usage: make_input.py OUT MEGABYTES (a whole number >= 1)", file=sys.stderr)
        return 2
    out, size = argv[0], int(argv[1]) << 20
    rng = Rng(0x9E3779B97F4A7C15)
    t = 1764763200000  # milliseconds
    lines, n = [], 0
    while n < size:
        t += rng.below(50)
        r = rng.below(8)
        words = " ".join(WORDS[rng.below(len(WORDS))] for _ in range(rng.below(9)))
        if r < 5:
            line = "%d.%03d %s worker-%d %s %s/%d status=%d took=%dms %s\n" % (
                t // 1000, t % 1000, LEVELS[rng.below(len(LEVELS))], rng.below(16),
                ("GET", "POST", "PUT")[rng.below(3)], PATHS[rng.below(len(PATHS))],
                rng.below(100000), (200, 200, 200, 404, 500)[rng.below(5)], rng.below(2000), words)
        elif r < 7:
            line = "%d.%03d DEBUG cache key=%016x size=%d %s\n" % (
                t // 1000, t % 1000, rng.next(), rng.below(1 << 20), words)
        else:
            line = "%d.%03d NOTICE the quick brown fox jumps over the lazy dog; %s; %s\n" % (
                t // 1000, t % 1000, words, words)
        lines.append(line)
        n += len(line)
    data = "".join(lines).encode()[:size]
    with open(out, "wb") as f:
        f.write(data)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
