-- A reader's first dashboard after signing in: every request is another reader's, with the fresh
-- session and CSRF cookies that signing in gives, so no cache has seen that reader before. Each
-- thread takes every THREADS-th line, so no two requests share a reader until the file runs out
-- (bench/run.py says so when the run sent more requests than the file has readers).
-- Set by bench/run.py: BENCH_COOKIES (a file, one Cookie header a line), BENCH_THREADS.

local cookies = {}
for line in io.lines(os.getenv("BENCH_COOKIES")) do
  cookies[#cookies + 1] = line
end
local threads = tonumber(os.getenv("BENCH_THREADS") or "1")
local started = 0

function setup(thread)
  thread:set("id", started)
  started = started + 1
end

local sent = 0

function request()
  local line = ((id or 0) + sent * threads) % #cookies + 1
  sent = sent + 1
  return wrk.format("GET", "/", { ["Cookie"] = cookies[line] })
end
