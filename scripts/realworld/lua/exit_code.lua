-- os.exit(3) from inside nested calls and a coroutine: exit() runs atexit handlers
local co = coroutine.wrap(function() pcall(function() io.stdout:flush(); os.exit(3) end) end)
print("exiting with 3")
co()
