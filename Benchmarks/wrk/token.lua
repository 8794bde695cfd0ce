-- wrk script: POST /oauth/token with client credentials from the environment.
--   CLIENT_ID=… CLIENT_SECRET=… wrk -t2 -c32 -d10s -s Benchmarks/wrk/token.lua http://127.0.0.1:18080/oauth/token
local id = os.getenv("CLIENT_ID")
local secret = os.getenv("CLIENT_SECRET")
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.body = "grant_type=client_credentials&client_id=" .. id .. "&client_secret=" .. secret
