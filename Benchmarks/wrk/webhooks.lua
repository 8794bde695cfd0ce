-- POST /webhooks/stripe with signed events read from $EVENTS_FILE (one per line: the Stripe-Signature header, a tab,
-- the JSON body; made by Benchmarks/webhooks/prepare.py). Each thread sends its own share of the lines, each once,
-- then repeats them (repeated deliveries are acknowledged as duplicates).
local events = {}
for line in io.lines(os.getenv("EVENTS_FILE")) do
  local tab = line:find("\t", 1, true)
  if tab then events[#events + 1] = { line:sub(1, tab - 1), line:sub(tab + 1) } end
end
local thread_count = 0
local threads = tonumber(os.getenv("WRK_THREADS") or "2")

function setup(thread)
  thread:set("tid", thread_count)
  thread_count = thread_count + 1
end

local next_index = nil

request = function()
  if next_index == nil or next_index > #events then next_index = (tid or 0) + 1 end
  local event = events[next_index]
  next_index = next_index + threads
  return wrk.format("POST", "/webhooks/stripe", { ["Stripe-Signature"] = event[1], ["Content-Type"] = "application/json" }, event[2])
end
