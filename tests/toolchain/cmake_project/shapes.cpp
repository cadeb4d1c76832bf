// shapes.cpp: a C++ shared library with a class, called from C through shapes_area.
namespace geo {
class Square {
  public:
    explicit Square(int s) : side(s) {}
    int area() const;

  private:
    int side;
};
int Square::area() const {
    int a = 0;
    for (int i = 0; i < side; i++)
        a += side;
    return a;
}
} // namespace geo

extern "C" int shapes_area(int side) {
    geo::Square sq(side);
    return sq.area();
}
