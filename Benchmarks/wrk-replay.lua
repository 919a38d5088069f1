-- Replays pre-signed requests written by switchboard-bench-requests (two lines each: path, body),
-- each wrk thread taking every Nth one so no request is sent twice. A web chat path carries its
-- signature after '#' (path#timestamp#signature) and is sent with the signature headers.
-- Prints one JSON line with throughput and latency when done.
local threads = {}
local counter = 0

function setup(thread)
  thread:set("index", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  local stride = tonumber(os.getenv("WRK_THREADS") or "2")
  requests = {}
  local file = assert(io.open(os.getenv("REQUESTS"), "r"))
  local n = 0
  while true do
    local path = file:read("*l")
    if not path then break end
    local body = file:read("*l")
    if n % stride == index then
      local headers = {}
      local base, stamp, mac = path:match("^([^#]*)#([^#]*)#(.*)$")
      if base then
        path = base
        headers["Content-Type"] = "application/json"
        headers["X-Switchboard-Timestamp"] = stamp
        headers["X-Switchboard-Signature"] = mac
      else
        headers["Content-Type"] = "text/xml"
      end
      table.insert(requests, wrk.format("POST", path, headers, body))
    end
    n = n + 1
  end
  file:close()
  position = 0
  exhausted = 0
end

function request()
  position = position + 1
  if position > #requests then
    exhausted = exhausted + 1
    position = 1
  end
  return requests[position]
end

function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do
    total = total + (thread:get("exhausted") or 0)
  end
  io.write(string.format(
    '{"requests":%d,"seconds":%.3f,"rps":%.1f,"p50_ms":%.2f,"p99_ms":%.2f,"max_ms":%.2f,"non2xx":%d,"socket_errors":%d,"replayed":%d}\n',
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout, total))
end
