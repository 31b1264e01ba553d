-- PrivateJet gateway: opaque tokens (RFC 7662 introspection) and revocations.
-- Generated with the gateway's haproxy.cfg; settings come from its setenv lines.

local api_id = os.getenv("PRIVATEJET_API_ID") or ""
local client_id = os.getenv("PRIVATEJET_CLIENT_ID") or ""
local introspection_url = os.getenv("PRIVATEJET_INTROSPECTION_URL") or ""
local cache_seconds = tonumber(os.getenv("PRIVATEJET_INTROSPECTION_CACHE_SECONDS")) or 60
local revocations_url = os.getenv("PRIVATEJET_REVOCATIONS_URL") or ""
local poll_seconds = tonumber(os.getenv("PRIVATEJET_REVOCATIONS_POLL_SECONDS")) or 10
local secret_file = os.getenv("PRIVATEJET_GATEWAY_SECRET_FILE") or ""

local MAX_CACHED_ANSWERS = 10000
local CALL_TIMEOUT_MS = 3000

local function read_secret()
  local file = io.open(secret_file, "r")
  if not file then return nil end
  local secret = file:read("*a"):gsub("%s+$", "")
  file:close()
  return secret
end

local base64_alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
local function base64(data)
  return ((data:gsub(".", function(character)
    local bits, byte = "", character:byte()
    for i = 8, 1, -1 do bits = bits .. (byte % 2 ^ i - byte % 2 ^ (i - 1) > 0 and "1" or "0") end
    return bits
  end) .. "0000"):gsub("%d%d%d?%d?%d?%d?", function(bits)
    if #bits < 6 then return "" end
    local value = 0
    for i = 1, 6 do value = value + (bits:sub(i, i) == "1" and 2 ^ (6 - i) or 0) end
    return base64_alphabet:sub(value + 1, value + 1)
  end) .. ({ "", "==", "=" })[#data % 3 + 1])
end

local function form_encode(value)
  return (value:gsub("[^%w%-%._~]", function(character) return string.format("%%%02X", character:byte()) end))
end

local secret = read_secret()
if secret == nil then
  core.Warning("privatejet: no client secret at " .. secret_file .. "; opaque tokens and revocations are off")
end
local authorization = secret and ("Basic " .. base64(form_encode(client_id) .. ":" .. form_encode(secret))) or nil

-- Answers of an introspection endpoint by token: { vars = {...}, until_time = epoch seconds },
-- one bounded cache per endpoint (the portal's, and the cluster's other server).
local function new_cache() return { answers = {}, count = 0 } end
local portal_cache, external_cache = new_cache(), new_cache()

local function remember(cache, token, entry, now)
  if cache.count >= MAX_CACHED_ANSWERS then
    for cached_token, cached in pairs(cache.answers) do
      if cached.until_time <= now then cache.answers[cached_token] = nil; cache.count = cache.count - 1 end
    end
    if cache.count >= MAX_CACHED_ANSWERS then cache.answers, cache.count = {}, 0 end
  end
  if cache.answers[token] == nil then cache.count = cache.count + 1 end
  cache.answers[token] = entry
end

-- POSTs the token to an RFC 7662 endpoint; the answer's body, or nil when it could not be asked.
local function ask(url, credentials, token)
  local client = core.httpclient()
  local response = client:post{
    url = url,
    headers = {
      ["content-type"] = { "application/x-www-form-urlencoded" },
      ["accept"] = { "application/json" },
      ["authorization"] = { credentials },
    },
    body = "token=" .. form_encode(token) .. "&token_type_hint=access_token",
    timeout = CALL_TIMEOUT_MS,
  }
  if response == nil or response.status ~= 200 or response.body == nil then return nil end
  return response.body
end

local function introspect(txn, token, now)
  if authorization == nil or introspection_url == "" then return nil end
  local body = ask(introspection_url, authorization, token)
  if body == nil then return nil end
  local active = txn.c:json_query(body, "$.active")
  if active ~= 1 and active ~= true then
    return { vars = { active = 0 }, until_time = now + cache_seconds }
  end
  local vars = {
    active = 1,
    exp = txn.c:json_query(body, "$.exp", "int"),
    nbf = txn.c:json_query(body, "$.nbf", "int"),
    iat = txn.c:json_query(body, "$.iat", "int"),
    iss = txn.c:json_query(body, "$.iss"),
    jti = txn.c:json_query(body, "$.jti"),
    client_id = txn.c:json_query(body, "$.client_id"),
    tenant = txn.c:json_query(body, "$.tenant"),
    app_id = txn.c:json_query(body, "$.application.id"),
    app_name = txn.c:json_query(body, "$.application.name"),
    tier = txn.c:json_query(body, "$.subscriptions." .. api_id),
    key_type = txn.c:json_query(body, "$.keytype"),
  }
  local until_time = now + cache_seconds
  if type(vars.exp) == "number" and vars.exp < until_time then until_time = vars.exp end
  return { vars = vars, until_time = until_time }
end

core.register_action("privatejet_introspect", { "http-req" }, function(txn)
  local token = txn:get_var("txn.token")
  if token == nil then return end
  local now = core.now().sec
  local entry = portal_cache.answers[token]
  if entry == nil or entry.until_time <= now then
    entry = introspect(txn, token, now)
    if entry == nil then return end -- txn.active stays unset: the portal could not be asked
    remember(portal_cache, token, entry, now)
  end
  for name, value in pairs(entry.vars) do txn:set_var("txn." .. name, value) end
end)

-- The cluster's other authorization server (its OAuth2 security resource): the URL from
-- haproxy.cfg, the client id and secret from files of the mounted Secret. Only txn.ext_* are set:
-- such a caller is that server's client, not an application of the portal.
local external_url = os.getenv("PRIVATEJET_EXTERNAL_INTROSPECTION_URL") or ""
local external_dir = os.getenv("PRIVATEJET_EXTERNAL_INTROSPECTION_DIR") or ""
local external_authorization = nil
if external_url ~= "" then
  local function read_key(name)
    local file = io.open(external_dir .. "/" .. name, "r")
    if not file then return nil end
    local value = file:read("*a"):gsub("%s+$", "")
    file:close()
    return value
  end
  local external_id, external_secret = read_key("client-id"), read_key("client-secret")
  if external_id and external_secret then
    external_authorization = "Basic " .. base64(form_encode(external_id) .. ":" .. form_encode(external_secret))
  else
    core.Warning("privatejet: no client-id/client-secret in " .. external_dir .. "; the other introspection server is off")
  end
end

core.register_action("privatejet_introspect_external", { "http-req" }, function(txn)
  local token = txn:get_var("txn.token")
  if token == nil or external_authorization == nil then return end
  local now = core.now().sec
  local entry = external_cache.answers[token]
  if entry == nil or entry.until_time <= now then
    local body = ask(external_url, external_authorization, token)
    if body == nil then return end -- txn.ext_active stays unset: the server could not be asked
    local active = txn.c:json_query(body, "$.active")
    local vars = { ext_active = 0 }
    if active == 1 or active == true then
      vars = {
        ext_active = 1,
        ext_exp = txn.c:json_query(body, "$.exp", "int"),
        ext_aud = txn.c:json_query(body, "$.aud"),
        ext_client_id = txn.c:json_query(body, "$.client_id") or txn.c:json_query(body, "$.sub"),
      }
    end
    local until_time = now + cache_seconds
    if type(vars.ext_exp) == "number" and vars.ext_exp < until_time then until_time = vars.ext_exp end
    entry = { vars = vars, until_time = until_time }
    remember(external_cache, token, entry, now)
  end
  for name, value in pairs(entry.vars) do txn:set_var("txn." .. name, value) end
end)

-- The revocation list of this API, as lines "token <jti>" and "application <id> <epoch>".
local revoked_tokens, revoked_applications = {}, {}

local function apply(map_file, current, wanted)
  for key, value in pairs(wanted) do
    if current[key] ~= value then core.set_map(map_file, key, value) end
  end
  for key in pairs(current) do
    if wanted[key] == nil then core.del_map(map_file, key) end
  end
end

local function poll_revocations()
  local client = core.httpclient()
  local response = client:get{
    url = revocations_url .. "?api=" .. form_encode(api_id),
    headers = { ["authorization"] = { authorization } },
    timeout = CALL_TIMEOUT_MS,
  }
  if response == nil or response.status ~= 200 or response.body == nil then
    core.Warning("privatejet: revocation list unavailable (" .. tostring(response and response.status) .. "); keeping the last one")
    return
  end
  local tokens, applications = {}, {}
  for line in response.body:gmatch("[^\n]+") do
    local kind, key, value = line:match("^(%a+) ([%w%-_.]+) ?(%d*)$")
    if kind == "token" then tokens[key] = "1" end
    if kind == "application" and value ~= "" then applications[key] = value end
  end
  apply("revoked-tokens.map", revoked_tokens, tokens)
  apply("revoked-applications.map", revoked_applications, applications)
  revoked_tokens, revoked_applications = tokens, applications
end

if revocations_url ~= "" and authorization ~= nil then
  core.register_task(function()
    while true do
      poll_revocations()
      core.sleep(poll_seconds)
    end
  end)
end

-- Traffic counters, read by the portal at /metrics/traffic. One thread per gateway (nbthread 1),
-- so one Lua state holds them all. Counted once per answered request, whoever answered it (the
-- backend or a refusal of the gateway), from http-after-response, where 2.6 runs no Lua action
-- but does run a sample fetch. The start time tells the scraper when the counters began again.
local TRAFFIC_BUCKETS_MS = { 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000 }
-- Applications counted one by one; beyond this many, the rest share the "_other" row. The ids come
-- from verified tokens, so only the tenant's applications appear, and the cap bounds what a scrape reads.
local MAX_COUNTED_APPLICATIONS = 1000
local started = core.now()
local traffic = { requests = 0, statuses = {}, buckets = {}, time_ms = 0, applications = {}, application_count = 0 }
for i = 1, #TRAFFIC_BUCKETS_MS + 1 do traffic.buckets[i] = 0 end

local function application_row(id)
  if id == nil or #id == 0 or #id > 64 or not id:match("^[%w%-]+$") then return nil end
  local row = traffic.applications[id]
  if row == nil then
    if traffic.application_count >= MAX_COUNTED_APPLICATIONS then id = "_other" end
    row = traffic.applications[id]
    if row == nil then
      row = { requests = 0, errors = 0, throttled = 0 }
      traffic.applications[id] = row
      traffic.application_count = traffic.application_count + 1
    end
  end
  return row
end

core.register_fetches("privatejet_count", function(txn)
  local status = tonumber(txn.sf:status()) or 0
  -- Both ends from HAProxy's own date (core.now() can lag it on 2.6), in microseconds.
  local now_us = tonumber(txn.f:date(0, "us")) or 0
  local elapsed = (now_us - (tonumber(txn:get_var("txn.pj_start_us")) or now_us)) / 1000
  if elapsed < 0 then elapsed = 0 end
  traffic.requests = traffic.requests + 1
  local code = (status >= 100 and status <= 599) and tostring(status) or "other"
  traffic.statuses[code] = (traffic.statuses[code] or 0) + 1
  local bucket = #TRAFFIC_BUCKETS_MS + 1
  for i, bound in ipairs(TRAFFIC_BUCKETS_MS) do
    if elapsed <= bound then bucket = i; break end
  end
  traffic.buckets[bucket] = traffic.buckets[bucket] + 1
  traffic.time_ms = traffic.time_ms + elapsed
  local application = application_row(txn:get_var("txn.app_id"))
  if application ~= nil then
    application.requests = application.requests + 1
    if status >= 400 then application.errors = application.errors + 1 end
    if status == 429 then application.throttled = application.throttled + 1 end
  end
  return 1
end)

local function traffic_exposition()
  local lines = {
    "# HELP privatejet_gateway_start_time_seconds When this gateway process began counting.",
    "# TYPE privatejet_gateway_start_time_seconds gauge",
    string.format("privatejet_gateway_start_time_seconds %d.%06d", started.sec, started.usec),
    "# HELP privatejet_requests_total Requests answered, by the backend or by the gateway.",
    "# TYPE privatejet_requests_total counter",
    "privatejet_requests_total " .. traffic.requests,
    "# HELP privatejet_responses_total Requests answered, by status code.",
    "# TYPE privatejet_responses_total counter",
  }
  local codes = {}
  for code in pairs(traffic.statuses) do codes[#codes + 1] = code end
  table.sort(codes)
  for _, code in ipairs(codes) do lines[#lines + 1] = string.format('privatejet_responses_total{code="%s"} %d', code, traffic.statuses[code]) end
  lines[#lines + 1] = "# HELP privatejet_response_time_seconds Time from the request's arrival to the response's headers."
  lines[#lines + 1] = "# TYPE privatejet_response_time_seconds histogram"
  local cumulative = 0
  for i = 1, #TRAFFIC_BUCKETS_MS + 1 do
    cumulative = cumulative + traffic.buckets[i]
    local le = TRAFFIC_BUCKETS_MS[i] and string.format("%g", TRAFFIC_BUCKETS_MS[i] / 1000) or "+Inf"
    lines[#lines + 1] = string.format('privatejet_response_time_seconds_bucket{le="%s"} %d', le, cumulative)
  end
  lines[#lines + 1] = string.format("privatejet_response_time_seconds_sum %.6f", traffic.time_ms / 1000)
  lines[#lines + 1] = "privatejet_response_time_seconds_count " .. traffic.requests
  local names = {}
  for id in pairs(traffic.applications) do names[#names + 1] = id end
  table.sort(names)
  for _, metric in ipairs({ "requests", "errors", "throttled" }) do
    lines[#lines + 1] = string.format("# HELP privatejet_application_%s_total Per calling application (at most %d, then _other).", metric, MAX_COUNTED_APPLICATIONS)
    lines[#lines + 1] = string.format("# TYPE privatejet_application_%s_total counter", metric)
    for _, id in ipairs(names) do
      lines[#lines + 1] = string.format('privatejet_application_%s_total{application="%s"} %d', metric, id, traffic.applications[id][metric])
    end
  end
  return table.concat(lines, "\n") .. "\n"
end

core.register_service("privatejet_traffic", "http", function(applet)
  local body = traffic_exposition()
  applet:set_status(200)
  applet:add_header("content-type", "text/plain; version=0.0.4")
  applet:add_header("content-length", tostring(#body))
  applet:start_response()
  applet:send(body)
end)
