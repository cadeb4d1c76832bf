#!/usr/bin/env python3
"""Runs one command once and prints its wall and CPU seconds, for scripts/realworld.sh's timings.

    timeit.py [--stdin FILE] [--cwd DIR] COMMAND [ARG...]

Prints "WALL CPU" (seconds, 6 decimals): WALL from a monotonic clock (time.perf_counter) around
the run, CPU the user + system time of the command and the children it waited for (wait4's
rusage). Its standard output and error go to /dev/null; standard input is FILE or /dev/null. The
exit status is the command's (a signal: 128 + its number). CPU time is what the timing table
compares: on a machine shared with other work it moves much less than wall time, which also
counts the time the process waited for a CPU.
"""
import os
import subprocess
import sys
import time


def main(argv):
    stdin_path, cwd = None, None
    while argv and argv[0] in ("--stdin", "--cwd"):
        if len(argv) < 2:
            print("timeit.py: %s needs a value" % argv[0], file=sys.stderr)
            return 2
        if argv[0] == "--stdin":
            stdin_path = argv[1]
        else:
            cwd = argv[1]
        argv = argv[2:]
    if not argv:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    stdin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
    t0 = time.perf_counter()
    try:
        proc = subprocess.Popen(argv, stdin=stdin, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, cwd=cwd)
    except OSError as e:
        print("timeit.py: cannot run %s: %s" % (argv[0], e), file=sys.stderr)
        return 127
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = status  # reaped here: Popen must not wait for it again
    print("%.6f %.6f" % (wall, usage.ru_utime + usage.ru_stime))
    if os.WIFSIGNALED(status):
        return 128 + os.WTERMSIG(status)
    return os.WEXITSTATUS(status)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
