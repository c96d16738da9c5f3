-- Ticking an advised part as the dashboard's checklist sends it with JavaScript: on each change,
-- POST /entries/<slug>/parts/ with every part shown and the ticked ones done, the session and
-- CSRF cookies, X-CSRFToken and HX-Request. Each request moves to the next entry with parts;
-- each round through them ticks every part or none, so every request really changes rows.
-- Set by bench/run.py: BENCH_COOKIE, BENCH_CSRF, BENCH_PARTS (slug=key+key;slug=key...).

local entries = {}
for slug, keys in string.gmatch(os.getenv("BENCH_PARTS") or "", "([^=;]+)=([^;]+)") do
  local shown, done = {}, {}
  for key in string.gmatch(keys, "[^+]+") do
    shown[#shown + 1] = "shown=" .. key
    done[#done + 1] = "done=" .. key
  end
  local none = table.concat(shown, "&")
  entries[#entries + 1] = { slug = slug, none = none, all = none .. "&" .. table.concat(done, "&") }
end
local sent = 0
local started = 0

function setup(thread)
  thread:set("id", started)
  started = started + 1
end

wrk.method = "POST"
wrk.headers["Cookie"] = os.getenv("BENCH_COOKIE")
wrk.headers["X-CSRFToken"] = os.getenv("BENCH_CSRF")
wrk.headers["HX-Request"] = "true"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"

function request()
  sent = sent + 1
  -- Threads start a few entries apart, so that two never post the same entry at once.
  local entry = entries[((sent + (id or 0) * 3) % #entries) + 1]
  local ticked = math.floor(sent / #entries) % 2 == 0
  return wrk.format(nil, "/entries/" .. entry.slug .. "/parts/", nil, ticked and entry.all or entry.none)
end
