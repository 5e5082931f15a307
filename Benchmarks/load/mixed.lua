-- wrk script of the load benchmark: a weighted mix of requests read from the
-- scenario file that scenario.py wrote.
--
--   wrk ... -s mixed.lua URL -- SCENARIO.tsv [TOKEN] [RUN_ID]
--
-- Each line of the scenario is "category<TAB>method<TAB>path[<TAB>lab]".
-- A category is picked by weight, then one of its lines at random. Writes
-- (POST /api/v1/projects with the bearer TOKEN and a unique title) are 10 %
-- of the requests whenever the scenario has any; the reads share the rest in
-- proportion to their weights, among the categories the scenario holds (so a
-- feed joins the mix as soon as the server answers it). Anything but a 2xx
-- counts as an error; done() prints the figures as result_* lines.

local read_weights = {
  home = 10, lists = 20, details = 20, search = 10,
  api_search = 5, api_lists = 10, api_details = 15, feeds = 5,
}
local write_share = 0.10

local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_id", #threads)
end

local lines = {}      -- category -> list of {method, path, lab}
local wheel = {}      -- cumulative {limit, category}
local token, run_id
local write_count = 0

non2xx = 0
statuses = {}         -- status -> count, kept as a table per thread
issued = {}           -- category -> requests issued

local function split(line)
  local fields = {}
  for field in (line .. "\t"):gmatch("([^\t]*)\t") do table.insert(fields, field) end
  return fields
end

function init(args)
  local file = assert(io.open(args[1], "r"))
  for line in file:lines() do
    if line ~= "" then
      local f = split(line)
      lines[f[1]] = lines[f[1]] or {}
      table.insert(lines[f[1]], { method = f[2], path = f[3], lab = f[4] })
    end
  end
  file:close()
  token = args[2] or ""
  run_id = args[3] or tostring(os.time())

  local has_writes = lines.writes ~= nil and token ~= "" and token ~= "-"
  local reads = 0
  for category, weight in pairs(read_weights) do
    if lines[category] then reads = reads + weight end
  end
  local total = 0
  local read_share = has_writes and (1 - write_share) or 1
  local categories = {}
  for category in pairs(read_weights) do table.insert(categories, category) end
  table.sort(categories)
  for _, category in ipairs(categories) do
    if lines[category] then
      total = total + read_share * read_weights[category] / reads
      table.insert(wheel, { limit = total, category = category })
    end
  end
  if has_writes then table.insert(wheel, { limit = 1.0, category = "writes" }) end
  wheel[#wheel].limit = 1.0

  -- Every thread draws its own sequence, the same from one run to the next.
  math.randomseed(1000 + (thread_id or 0))
end

local function write_request(line)
  write_count = write_count + 1
  local title = string.format("Charge %s %d-%d", run_id, thread_id or 0, write_count)
  local lab = (line.lab ~= nil and line.lab ~= "") and string.format('"labs":["%s"],', line.lab) or ""
  local body = string.format(
    '{"title":"%s",%s"stage":"exploration","themes":["numerique"],' ..
    '"summary":"Projet créé par le banc de charge : une écriture par l\'API."}', title, lab)
  return wrk.format("POST", line.path, {
    ["Authorization"] = "Bearer " .. token,
    ["Content-Type"] = "application/json",
  }, body)
end

function request()
  local roll = math.random()
  local category = wheel[#wheel].category
  for _, slot in ipairs(wheel) do
    if roll < slot.limit then category = slot.category; break end
  end
  issued[category] = (issued[category] or 0) + 1
  local choices = lines[category]
  local line = choices[math.random(#choices)]
  if line.method == "POST" then return write_request(line) end
  return wrk.format("GET", line.path)
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
    statuses[status] = (statuses[status] or 0) + 1
  end
end

function done(summary, latency, requests)
  local errors = summary.errors
  local socket_errors = errors.connect + errors.read + errors.write + errors.timeout
  local bad, by_status, mix = 0, {}, {}
  for _, thread in ipairs(threads) do
    bad = bad + (thread:get("non2xx") or 0)
    for status, count in pairs(thread:get("statuses") or {}) do
      by_status[status] = (by_status[status] or 0) + count
    end
    for category, count in pairs(thread:get("issued") or {}) do
      mix[category] = (mix[category] or 0) + count
    end
  end
  local status_text, mix_text, issued_total = {}, {}, 0
  for status, count in pairs(by_status) do table.insert(status_text, status .. "×" .. count) end
  table.sort(status_text)
  for _, count in pairs(mix) do issued_total = issued_total + count end
  local categories = {}
  for category in pairs(mix) do table.insert(categories, category) end
  table.sort(categories)
  for _, category in ipairs(categories) do
    table.insert(mix_text, string.format("%s %.1f%%", category, 100 * mix[category] / math.max(1, issued_total)))
  end
  local seconds = summary.duration / 1e6
  io.write(string.format("result_requests=%d\n", summary.requests))
  io.write(string.format("result_rps=%.1f\n", summary.requests / seconds))
  io.write(string.format("result_p50_ms=%.2f\n", latency:percentile(50) / 1000))
  io.write(string.format("result_p90_ms=%.2f\n", latency:percentile(90) / 1000))
  io.write(string.format("result_p99_ms=%.2f\n", latency:percentile(99) / 1000))
  io.write(string.format("result_max_ms=%.2f\n", latency.max / 1000))
  io.write(string.format("result_socket_errors=%d (connect %d, read %d, write %d, timeout %d)\n",
    socket_errors, errors.connect, errors.read, errors.write, errors.timeout))
  io.write(string.format("result_non2xx=%d%s\n", bad,
    #status_text > 0 and (" (" .. table.concat(status_text, ", ") .. ")") or ""))
  io.write(string.format("result_errors=%d\n", socket_errors + bad))
  io.write("result_mix=" .. table.concat(mix_text, ", ") .. "\n")
end
