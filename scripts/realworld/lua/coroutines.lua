-- coroutines: resume/yield switch Lua stacks (and C stacks through lua_resume); errors inside them
local function gen(n) return coroutine.wrap(function() for i = 1, n do coroutine.yield(i) end return "end" end) end
local g = gen(5)
for i = 1, 6 do io.write(tostring(g()), " ") end print()

-- producer/consumer
local prod = coroutine.create(function()
  for _, w in ipairs({"alpha", "beta", "gamma", "delta"}) do coroutine.yield(w) end
end)
while true do
  local ok, v = coroutine.resume(prod)
  if not v then break end
  io.write(v, ";")
end
print(coroutine.status(prod))

-- error inside a coroutine: resume returns false; the coroutine is dead
local co = coroutine.create(function(a) local b = coroutine.yield(a * 2); error("co error " .. b, 0) end)
print(coroutine.resume(co, 21))
print(coroutine.resume(co, "x"))
print(coroutine.status(co), coroutine.resume(co))

-- yield across pcall (allowed in 5.4), error after yield caught inside
co = coroutine.wrap(function()
  local ok, e = pcall(function() coroutine.yield("in pcall"); error("after yield", 0) end)
  coroutine.yield(tostring(ok) .. " " .. e)
  return "finished"
end)
print(co(), co(), co())

-- yield from inside a metamethod and a sort comparator (not allowed: C boundary)
co = coroutine.create(function()
  local t = setmetatable({}, {__add = function(a, b) coroutine.yield("in __add"); return 7 end})
  return t + 1
end)
print(coroutine.resume(co)); print(coroutine.resume(co))
co = coroutine.create(function() table.sort({3, 1, 2}, function(a, b) coroutine.yield() return a < b end) end)
local ok, e = coroutine.resume(co); print(ok, (e:gsub("^.-: ", "")))

-- coroutine.close with pending to-be-closed variables, and wrap propagating errors
co = coroutine.create(function()
  local x <close> = setmetatable({}, {__close = function() print("closed x") end})
  coroutine.yield(1)
end)
print(coroutine.resume(co)); print(coroutine.close(co), coroutine.status(co))
do local ok, e = pcall(coroutine.wrap(function() error({msg = "tbl"}) end)); print(ok, type(e), e.msg) end

-- nested coroutines and many switches
local function nestco(depth)
  return coroutine.wrap(function()
    if depth == 0 then for i = 1, 3 do coroutine.yield(i) end return end
    local inner = nestco(depth - 1)
    for v in inner do coroutine.yield(v * 10) end
  end)
end
for v in nestco(4) do io.write(v, " ") end print()
local sum = 0
local c = coroutine.wrap(function() local i = 0 while true do i = i + 1 coroutine.yield(i) end end)
for i = 1, 100000 do sum = sum + c() end
print("sum", sum)
print(coroutine.isyieldable(), type(coroutine.running()), select(2, coroutine.running()))
print("done")
