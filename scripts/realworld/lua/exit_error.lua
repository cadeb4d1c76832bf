-- an uncaught error: the interpreter prints a traceback and exits with status 1
local function inner() error("uncaught at top level") end
local function outer() inner() end
print("before")
outer()
print("never")
