-- POST /api/v1/loans/{id}/payments with a fresh Idempotency-Key per request (none with IDEMPOTENCY=off), spread over
-- the loans listed in $LOANS_FILE (one id per line). $TOKEN: a bearer token with payments:write.
local loans = {}
for line in io.lines(os.getenv("LOANS_FILE")) do
  if #line > 0 then loans[#loans + 1] = line end
end
local token = os.getenv("TOKEN")
local keyed = os.getenv("IDEMPOTENCY") ~= "off"
local thread_count = 0

function setup(thread)
  thread:set("tid", thread_count)
  thread_count = thread_count + 1
end

local counter = 0

function init(args)
  math.randomseed(os.time() + (tid or 0) * 7919)
end

request = function()
  counter = counter + 1
  local loan = loans[math.random(#loans)]
  local headers = {
    ["Authorization"] = "Bearer " .. token,
    ["Content-Type"] = "application/json",
  }
  if keyed then
    headers["Idempotency-Key"] = "bench-" .. os.time() .. "-" .. (tid or 0) .. "-" .. counter
  end
  return wrk.format("POST", "/api/v1/loans/" .. loan .. "/payments", headers, '{"amount":"1.00","channel":"spei"}')
end
