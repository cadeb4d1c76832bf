-- error / pcall / xpcall: every error is a longjmp (luaD_throw) through C frames
local function show(...) local t = table.pack(...) local s = {} for i = 1, t.n do s[#s+1] = tostring(t[i]) end print(table.concat(s, " | ")) end

show(pcall(error, "plain message"))
show(pcall(error, "with level 0", 0))
show(type(select(2, pcall(error, {code = 42}))))
show(select(2, pcall(error, {code = 42})).code)
show(pcall(function() local x = nil; return x.field end))
show(pcall(function() return 1 + {} end))
show(pcall(function() return #5 end))
show(pcall(function() error() end))
show(pcall(string.rep))
show(pcall(string.format, "%d", "x"))
show(pcall(setmetatable, 1, {}))

-- nested pcall: inner catches, outer sees normal return
show(pcall(function()
  local ok, e = pcall(function() error("inner", 0) end)
  return "outer got: " .. tostring(ok) .. " " .. e
end))

-- rethrow through several Lua and C levels (table.sort comparator, gsub callback)
show(pcall(table.sort, {3, 2, 1}, function(a, b) error("cmp fails", 0) end))
show(pcall(string.gsub, "abc", "%w", function(c) if c == "b" then error("gsub cb " .. c, 0) end end))
show(pcall(load, "x = = 1"))
show(load("x = = 1"))
show(load("return 1 +", "=chunk"))
show(pcall(function() local t = setmetatable({}, {__index = function(t, k) error("no key " .. k, 0) end}); return t.foo end))

-- xpcall with a message handler (and one that errors itself)
show(xpcall(function() error("boom", 0) end, function(m) return "handled: " .. m end))
show(xpcall(function() error("boom", 0) end, function(m) error("handler fails", 0) end))
show(xpcall(function(a, b) return a + b end, print, 20, 22))

-- error in __gc and __close
do
  local ok, e = pcall(function()
    local x <close> = setmetatable({}, {__close = function() error("close err", 0) end})
    error("body err", 0)
  end)
  show(ok, e)
end

-- C stack overflow (LUAI_MAXCCALLS) through metamethods, and Lua stack overflow
local mt = {}
mt.__index = function(t, k) return setmetatable({}, mt)[k] end
local ok, e = pcall(function() return setmetatable({}, mt).x end)
show(ok, (tostring(e):gsub("^.-:%d+: ", "")))
local function rec(n) return rec(n + 1) + 1 end
ok, e = pcall(rec, 1)
show(ok, (tostring(e):match("stack overflow") or e))

-- many errors in a loop: the runtime's shadow stack must resynchronise each time
local caught = 0
for i = 1, 20000 do
  local ok = pcall(function(n) if n % 3 == 0 then error(n) end return n end, i)
  if not ok then caught = caught + 1 end
end
show("caught", caught)

-- deep pcall nesting, error from the bottom
local function nest(n) if n == 0 then error("bottom", 0) end local ok, e = pcall(nest, n - 1); error(e .. "<" .. n, 0) end
show(pcall(nest, 50))

-- error objects with __tostring, errors in tostring itself
show(pcall(error, setmetatable({}, {__tostring = function() return "custom obj" end})))
show(pcall(tostring, setmetatable({}, {__tostring = function() error("ts fails", 0) end})))
print("done")
