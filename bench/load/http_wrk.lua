-- The wrk script of bench/http_bench.py: one target's requests, configured by the environment, and one line
-- of JSON at the end ("BENCH_JSON {...}") with the counts and latency percentiles the bench parses.
--
--   BENCH_METHOD     GET (default) or POST
--   BENCH_HEADERS    "Name: value" lines (Authorization, Cookie, Accept-Language, Content-Type...)
--   BENCH_BODY_FILE  a request body in which "@@EMAIL@@" is replaced per request by a fresh address
--                    (the apply form: one application per email and vacancy, a repeat would store nothing)
--   BENCH_TAG        part of those addresses, unique per run
--
-- wrk counts only statuses above 399 as errors: response() counts every status outside 200-299 here,
-- so that a redirect to the sign-in page is not taken for a served page.

local method = os.getenv("BENCH_METHOD") or "GET"
local header_lines = os.getenv("BENCH_HEADERS") or ""
local body_file = os.getenv("BENCH_BODY_FILE") or ""
local tag = os.getenv("BENCH_TAG") or "run"

wrk.method = method
for line in header_lines:gmatch("[^\n]+") do
  local name, value = line:match("^([^:]+):%s*(.*)$")
  if name then
    wrk.headers[name] = value
  end
end

-- Per thread (each has its own Lua state): the counters read by done() through thread:get.
non2xx = 0
status_3xx = 0
status_4xx = 0
status_5xx = 0
last_bad_status = 0
id = 0 -- set by setup() before init()

local threads = {}
local next_id = 1

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

if body_file ~= "" then
  -- A dynamic request: wrk calls request() for every request (only when the script defines it).
  local file = assert(io.open(body_file, "rb"))
  local template = file:read("*a")
  file:close()
  local at = assert(template:find("@@EMAIL@@", 1, true), "no @@EMAIL@@ in the body")
  local prefix, suffix = template:sub(1, at - 1), template:sub(at + #"@@EMAIL@@")
  local sent = 0

  function request()
    sent = sent + 1
    local email = string.format("c%d-%d-%s@bench.example.com", id, sent, tag)
    return wrk.format(nil, nil, nil, prefix .. email .. suffix)
  end
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
    last_bad_status = status
    if status < 400 then
      status_3xx = status_3xx + 1
    elseif status < 500 then
      status_4xx = status_4xx + 1
    else
      status_5xx = status_5xx + 1
    end
  end
end

function done(summary, latency, requests)
  local counts = { non2xx = 0, status_3xx = 0, status_4xx = 0, status_5xx = 0 }
  local last_bad = 0
  for _, thread in ipairs(threads) do
    for name, _ in pairs(counts) do
      counts[name] = counts[name] + (thread:get(name) or 0)
    end
    local bad = thread:get("last_bad_status") or 0
    if bad ~= 0 then
      last_bad = bad
    end
  end
  local errors = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "bytes": %d, '
      .. '"socket_errors": {"connect": %d, "read": %d, "write": %d, "timeout": %d}, "wrk_status_errors": %d, '
      .. '"non2xx": %d, "status_3xx": %d, "status_4xx": %d, "status_5xx": %d, "last_bad_status": %d, '
      .. '"latency_us": {"mean": %.1f, "stdev": %.1f, "max": %d, "p50": %d, "p90": %d, "p95": %d, "p99": %d}}\n',
    summary.requests, summary.duration, summary.bytes,
    errors.connect, errors.read, errors.write, errors.timeout, errors.status,
    counts.non2xx, counts.status_3xx, counts.status_4xx, counts.status_5xx, last_bad,
    latency.mean, latency.stdev, latency.max,
    latency:percentile(50), latency:percentile(90), latency:percentile(95), latency:percentile(99)
  ))
end
