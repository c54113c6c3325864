-- wrk script: a valid contact-form submission, a different message each time, so none is
-- taken for a resend. bench.py fills in the CSRF token, cookie, form timestamp and topic.
local counter = 0
local thread_id = 0
local threads = {}

function setup(thread)
  thread_id = thread_id + 1
  thread:set("thread_id", thread_id)
end

local function urlencode(text)
  return (text:gsub("[^%w%-_%.~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

request = function()
  counter = counter + 1
  local message = "Benchmark question " .. thread_id .. "-" .. counter .. ": is there parking?"
  local body = "csrfmiddlewaretoken=" .. urlencode(CSRF_TOKEN)
    .. "&form_started=" .. urlencode(FORM_STARTED)
    .. "&topic=" .. TOPIC
    .. "&name=Bench+Mark&email=bench" .. thread_id .. "%40example.com&phone=&reply_by=email"
    .. "&message=" .. urlencode(message)
    .. "&understands_not_medical=on&website="
  return wrk.format("POST", "/contact/", {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = "csrftoken=" .. CSRF_COOKIE,
    ["Referer"] = REFERER,
  }, body)
end
