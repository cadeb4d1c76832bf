-- known numbers of calls into C functions of the interpreter, checked against heatmap's counts
-- and against gdb breakpoint hit counts on the plain build (scripts/realworld.sh)
local N_REP, N_ERR, N_YIELD, N_STATUS = 1234, 777, 555, 321
for i = 1, N_REP do local s = string.rep("ab", i % 7) end          -- str_rep: N_REP
for i = 1, N_ERR do pcall(error, i) end                               -- luaB_pcall, luaB_error: N_ERR
local co = coroutine.wrap(function()
  for i = 1, N_YIELD do coroutine.yield(i) end                        -- luaB_yield: N_YIELD
end)
for i = 1, N_YIELD do co() end                                        -- luaB_auxwrap: N_YIELD
local c2 = coroutine.create(function() end)
for i = 1, N_STATUS do local st = coroutine.status(c2) end           -- lua_status: N_STATUS (trivial)
-- luaD_throw: N_ERR (error) + N_YIELD (lua_yieldk from a C function throws LUA_YIELD)
print(N_REP, N_ERR, N_YIELD, N_STATUS)
