-- POST /payments with a unique Idempotency-Key and bank reference per request.
local counter = 0
local tid = 0
local threads = {}

function setup(thread)
  tid = tid + 1
  thread:set("tid", tid)
end

function init(args)
  path = args[1]
  token = args[2]
end

request = function()
  counter = counter + 1
  local ref = string.format("W%d-%d-%d", tid, counter, math.random(1, 1000000000))
  local body = string.format('{"amount": "0.01", "paid_on": "2026-11-20", "bank_reference": "%s"}', ref)
  local headers = {}
  headers["Content-Type"] = "application/json"
  headers["Authorization"] = "Bearer " .. token
  headers["Idempotency-Key"] = ref
  return wrk.format("POST", path, headers, body)
end
