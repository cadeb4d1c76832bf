/* cxx_shapes: the C++ shapes the plugin must instrument correctly, with exact call counts.
 *
 * usage: cxx_shapes            (no arguments; everything is fixed so the counts are known)
 *
 * Compiled with and without heatmap at every optimisation level by tests/plugin/run_shapes.sh,
 * which checks that the output and exit status are identical and that every count below is exact
 * (examples/cxx_shapes/expected.txt). The C half (shapes_c.c, compiled with -fexceptions) holds
 * the varargs, setjmp/longjmp, musttail and naked functions and a C frame that a C++ exception
 * unwinds through.
 *
 * Exceptions: catcher() calls outer() NROUNDS times; outer -> middle -> thrower, and thrower
 * throws every third time, so the exception leaves three instrumented frames (and a Tracker's
 * destructor runs during the unwinding) before catcher catches it. wrong_catch() has a handler
 * that does not match, and rethrower() catches everything and rethrows: both are left by the
 * exception too. objects() calls virtual functions through thunks and deletes objects through base
 * pointers. The program ends through fatal(), a noreturn function that calls exit(3).
 */
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

extern "C" {
int c_varargs_sum(int n, ...);
int c_setjmp_user(int depth);
long c_musttail_count(long n, long acc);
int c_naked_seven(void);
int c_call_back(int (*fn)(int), int x);
int c_many_returns(int x);
}

static const int NROUNDS = 30; /* rounds of the exception test; thrower throws when i % 3 == 0 */

static int live_trackers;

/* Constructor and destructor: exactly named in heatmap.yaml (they are tiny leaves). */
struct Tracker {
    explicit Tracker(int id);
    ~Tracker();
    int id;
};
Tracker::Tracker(int id_) : id(id_) {
    live_trackers++;
}
Tracker::~Tracker() {
    live_trackers--;
}

/* Virtual functions. */
struct Shape {
    virtual ~Shape() = default;
    virtual double area() const = 0;
};
struct Square : Shape {
    explicit Square(double s) : side(s) {}
    double area() const override;
    double side;
};
double Square::area() const {
    return side * side;
}

/* Virtual and multiple inheritance and a virtual base: clang emits thunks, deleting destructors
 * and, for a class with a virtual base, complete-object constructors and destructors beside the
 * base-object ones. The plugin skips the ones that only forward, so each source-level call counts
 * once. */
static int live_objects;
struct VBase {
    VBase();
    virtual ~VBase();
};
struct Derived : virtual VBase {
    Derived();
    ~Derived() override;
};
struct Other {
    virtual ~Other();
    virtual int twice(int x) const = 0;
};
struct Both : Derived, Other {
    Both();
    ~Both() override;
    int twice(int x) const override;
};
VBase::VBase() {
    live_objects++;
}
VBase::~VBase() {
    live_objects--;
}
Derived::Derived() {
    live_objects += 10;
}
Derived::~Derived() {
    live_objects -= 10;
}
Other::~Other() {
    live_objects -= 0;
}
Both::Both() {
    live_objects += 100;
}
Both::~Both() {
    live_objects -= 100;
}
int Both::twice(int x) const {
    return 2 * x;
}
static int objects(void) {
    int sum = 0;
    Derived alone;
    for (int i = 0; i < 3; i++) {
        Other *o = new Both; /* complete Both: VBase, then Derived as a base subobject */
        sum += o->twice(i);  /* through the Other-in-Both thunk */
        delete o;            /* thunk, deleting destructor, complete destructor */
    }
    std::printf("objects: sum %d, live %d\n", sum, live_objects);
    return sum;
}

/* Templates: two instantiations are two functions. */
template <typename T> T sum_all(const std::vector<T> &v) {
    T total = T();
    for (const T &x : v)
        total += x;
    return total;
}

/* A static function with a loop (not trivial). */
static int static_helper(int n) {
    int acc = 0;
    for (int i = 0; i < n; i++)
        acc += i * i;
    return acc;
}

/* Exceptions through three instrumented frames. */
static int thrower(int i) {
    if (i % 3 == 0)
        throw std::runtime_error("round " + std::to_string(i));
    return i;
}
/* middle and rethrower stay out of line, so that with `instrument: after-inlining` exceptions still
 * leave instrumented frames (run_shapes.sh --after-inlining). */
__attribute__((noinline)) static int middle(int i) {
    Tracker t(i); /* destroyed while the exception passes */
    return thrower(i) + t.id;
}
static int outer(int i) {
    return middle(i) + 1;
}
static int wrong_catch(int i) {
    try {
        return outer(i);
    } catch (const std::logic_error &) { /* never matches a runtime_error */
        return -1;
    }
}
__attribute__((noinline)) static int rethrower(int i) {
    try {
        return wrong_catch(i);
    } catch (...) {
        throw;
    }
}
static int catcher(void) {
    int caught = 0, sum = 0;
    for (int i = 0; i < NROUNDS; i++) {
        try {
            sum += rethrower(i);
        } catch (const std::runtime_error &e) {
            caught++;
        }
    }
    std::printf("exceptions: caught %d, sum %d, live trackers %d\n", caught, sum, live_trackers);
    return caught;
}

/* A C++ exception unwinding through a C frame (shapes_c.c, built with -fexceptions). */
static int throw_from_callback(int x) {
    if (x > 0)
        throw x;
    return x;
}
static int through_c(void) {
    int caught = 0;
    for (int i = 0; i < 4; i++) {
        try {
            c_call_back(throw_from_callback, i);
        } catch (int v) {
            caught += v;
        }
    }
    return caught;
}

/* A noreturn function that ends the program with a status of its own. */
[[noreturn]] static void fatal(const char *why, int status) {
    std::printf("fatal: %s\n", why);
    std::fflush(stdout);
    std::exit(status);
}

int main() {
    Tracker top(0);
    auto square_it = [](int x) {
        int r = 0;
        for (int i = 0; i < x; i++)
            r += x;
        return r;
    };
    int lam = 0;
    for (int i = 0; i < 5; i++)
        lam += square_it(i);
    std::printf("lambda: %d\n", lam);

    Square sq(3.0);
    const Shape &shape = sq;
    double areas = 0;
    for (int i = 0; i < 7; i++)
        areas += shape.area();
    std::printf("areas: %.1f\n", areas);

    std::vector<int> vi = {1, 2, 3, 4};
    std::vector<double> vd = {0.5, 1.5};
    std::printf("templates: %d %.1f\n", sum_all(vi), sum_all(vd));
    std::printf("static: %d\n", static_helper(10));
    objects();

    catcher();
    std::printf("through C: %d\n", through_c());

    std::printf("varargs: %d\n", c_varargs_sum(4, 1, 2, 3, 4) + c_varargs_sum(2, 10, 20));
    std::printf("setjmp: %d\n", c_setjmp_user(3) + c_setjmp_user(0));
    std::printf("musttail: %ld\n", c_musttail_count(9, 0));
    std::printf("naked: %d\n", c_naked_seven());
    int returns = 0;
    for (int x = -2; x <= 6; x++)
        returns += c_many_returns(x);
    std::printf("returns: %d\n", returns);
    fatal("done", 3);
}
