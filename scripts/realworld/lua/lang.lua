-- the language and standard library (string patterns, tables, math, utf8, integers/floats, goto, closures)
print(string.format("%5.2f|%-5d|%x|%q|%s", 3.14159, 42, 255, "a\nb", nil))
print(("hello world from lua"):gsub("(%w+)", "<%1>"))
print(("key=val, k2=v2"):match("(%w+)=(%w+)"))
for k, v in string.gmatch("a=1, b=2, c=3", "(%w+)=(%w+)") do io.write(k, v, " ") end print()
print(string.pack(">I2i4", 1, -2):byte(1, -1))
print(utf8.char(72, 228, 8364, 128512), utf8.len("häll€"))
for p, c in utf8.codes("aé€") do io.write(p, ":", c, " ") end print()
print(math.maxinteger, math.mininteger, math.maxinteger + 1 == math.mininteger, 7 // 2, 7.0 // 2, 7 % -3, -7 % 3, 2^53)
print(math.type(1), math.type(1.0), math.type("1"), math.tointeger(3.0), 1e15, 1e100, 0/0 ~= 0/0)
print(string.format("%.14g", math.pi), math.floor(-3.5), math.ceil(-3.5), math.fmod(7, 3), math.ult(1, -1))
math.randomseed(42); local r = {} for i = 1, 5 do r[i] = math.random(1000) end print(table.concat(r, ","))
local t = {} for i = 1, 100 do t[i] = (i * 7919) % 101 end
table.sort(t); print(t[1], t[50], t[100])
table.sort(t, function(a, b) return a > b end); print(t[1], t[50], t[100])
print(table.concat(table.move({1, 2, 3, 4, 5}, 2, 4, 1), ","), table.unpack({1, 2, 3}))
table.insert(t, 1, -1); print(t[1], #t, table.remove(t), #t)
-- closures and upvalues
local function counter() local c = 0 return function() c = c + 1 return c end end
local c1, c2 = counter(), counter(); c1(); c1(); print(c1(), c2())
-- goto, varargs, integer for loops
do local i = 1 ::top:: i = i + 1 if i < 10 then goto top end print("goto", i) end
local function va(...) return select("#", ...), ... end
print(va(1, nil, 3, nil))
for i = 10, 1, -3 do io.write(i, " ") end print()
-- metatables and OOP
local Vec = {} Vec.__index = Vec
function Vec.new(x, y) return setmetatable({x = x, y = y}, Vec) end
Vec.__add = function(a, b) return Vec.new(a.x + b.x, a.y + b.y) end
Vec.__eq = function(a, b) return a.x == b.x and a.y == b.y end
Vec.__tostring = function(v) return "(" .. v.x .. "," .. v.y .. ")" end
Vec.__len = function() return 2 end
Vec.__call = function(v, k) return v[k] end
local v = Vec.new(1, 2) + Vec.new(3, 4)
print(tostring(v), v == Vec.new(4, 6), #v, v("x"), rawequal(v, Vec.new(4, 6)))
-- load / string.dump round trip
local f = load("local a, b = ... return a * b")
print(f(6, 7), load(string.dump(f))(3, 5))
print(type(load(function() return nil end)))
-- os / io that are deterministic
print(os.getenv("HEATMAP_NO_SUCH_VARIABLE"), type(os.clock()), os.date("!%Y-%m-%d", 0))
local tmp = os.tmpname(); local fh = assert(io.open(tmp, "w")); fh:write("line1\nline2\n", 3.5, "\n"); fh:close()
for l in io.lines(tmp) do io.write("[", l, "]") end print()
fh = io.open(tmp); print(fh:read("l", "n")); fh:close(); os.remove(tmp)
print(io.open("/nonexistent/dir/file"))
print(pcall(io.lines, "/nonexistent/file"))
-- a child process: fork + exec of a shell
print(os.execute("exit 3"))
local p = io.popen("echo from child"); print(p:read("a")); print(p:close())
print("done")
