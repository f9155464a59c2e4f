-- POST /payments with a unique Idempotency-Key and bank reference per request.
-- setup() runs in wrk's main Lua state and numbers the threads; thread:set() stores the
-- number as the global `thread_no` in each thread's own state, where request() reads it.
local started = 0
local counter = 0

function setup(thread)
  started = started + 1
  thread:set("thread_no", started)
end

function init(args)
  path = args[1]
  token = args[2]
  run_id = args[3] or tostring(os.time())
end

request = function()
  counter = counter + 1
  local ref = string.format("W%s-%d-%d", run_id, thread_no, counter)
  local body = string.format('{"amount": "0.01", "paid_on": "2026-11-20", "bank_reference": "%s"}', ref)
  local headers = {}
  headers["Content-Type"] = "application/json"
  headers["Authorization"] = "Bearer " .. token
  headers["Idempotency-Key"] = ref
  return wrk.format("POST", path, headers, body)
end
