-- a CPU-bound workload for the timing table (no pass/fail on time)
local function fib(n) if n < 2 then return n end return fib(n - 1) + fib(n - 2) end
print(fib(27))
local t = {}
for i = 1, 300000 do t[i] = tostring(i) end
local s = 0
for i = 1, #t do s = s + #t[i] end
print(s)
table.sort(t)
print(t[1], t[#t])
local words = {}
for w in (string.rep("the quick brown fox jumps over the lazy dog ", 20000)):gmatch("%a+") do words[w] = (words[w] or 0) + 1 end
print(words.the, words.fox)
local ok = 0
for i = 1, 100000 do if pcall(function() if i % 2 == 0 then error("e") end end) then ok = ok + 1 end end
print(ok)
