-- garbage collector: full and incremental/generational modes, finalizers, weak tables
local finalized = 0
local order = {}
for i = 1, 10 do setmetatable({}, {__gc = function() finalized = finalized + 1; order[#order + 1] = i end}) end
collectgarbage("collect")
print("finalized", finalized, table.concat(order, ","))

local weak = setmetatable({}, {__mode = "k"})
local keep = {}
for i = 1, 1000 do local k = {}; weak[k] = i; if i % 10 == 0 then keep[#keep + 1] = k end end
collectgarbage("collect")
local n = 0 for _ in pairs(weak) do n = n + 1 end
print("weak keys left", n)

local wv = setmetatable({}, {__mode = "v"})
for i = 1, 100 do wv[i] = {i} end
wv[101] = keep[1]
collectgarbage(); collectgarbage()
n = 0 for _ in pairs(wv) do n = n + 1 end
print("weak values left", n)

-- allocation churn under each GC mode
for _, mode in ipairs({"incremental", "generational", "incremental"}) do
  collectgarbage(mode)
  local t = {}
  for i = 1, 200000 do t[i % 5000 + 1] = {i, tostring(i), {i}} end
  local s = 0 for i = 1, #t do s = s + t[i][1] end
  print(mode, #t, s)
end
collectgarbage("incremental")
print(collectgarbage("step", 0) ~= nil, collectgarbage("isrunning"))

-- finalizer that resurrects, finalizer that errors (warning only, not propagated)
local saved
setmetatable({}, {__gc = function(o) saved = o end})
collectgarbage()
print("resurrected", saved ~= nil)
setmetatable({}, {__gc = function() error("in gc", 0) end})
collectgarbage()
print("after erroring finalizer")

-- strings: interning, long strings, concatenation
local parts = {}
for i = 1, 5000 do parts[i] = string.format("%05d", i) end
local big = table.concat(parts)
print(#big, big:sub(1, 20), big:sub(-10))
print(select("#", string.byte(big, 1, 100)))
print("done")
