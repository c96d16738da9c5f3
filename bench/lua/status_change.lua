-- The HTMX status change as a reader's browser sends it: POST /entries/<slug>/status/ with the
-- session and CSRF cookies, the X-CSRFToken header that base.html puts on <body>, and HX-Request.
-- Each request moves to the next entry and, after a round of entries, to the next status, so the
-- server really changes a row every time instead of answering "no change".
-- Set by bench/run.py: BENCH_COOKIE, BENCH_CSRF, BENCH_SLUGS (comma-separated).

local slugs = {}
for slug in string.gmatch(os.getenv("BENCH_SLUGS") or "", "[^,]+") do
  slugs[#slugs + 1] = slug
end
local statuses = { "reading", "read", "skimmed", "skipped", "unread" }
local sent = 0

wrk.method = "POST"
wrk.headers["Cookie"] = os.getenv("BENCH_COOKIE")
wrk.headers["X-CSRFToken"] = os.getenv("BENCH_CSRF")
wrk.headers["HX-Request"] = "true"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"

function request()
  sent = sent + 1
  local slug = slugs[(sent % #slugs) + 1]
  local status = statuses[(math.floor(sent / #slugs) % #statuses) + 1]
  return wrk.format(nil, "/entries/" .. slug .. "/status/", nil, "status=" .. status)
end
