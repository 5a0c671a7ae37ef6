-- wrk script of bench/load_bench.py: after the run, every latency recorded (microseconds) and how many
-- requests took it, one "value count" line each after a "LATENCIES" line, so that the benchmark can merge
-- the slices of a run and take percentiles over all of its requests.
done = function(summary, latency, requests)
  io.write("LATENCIES\n")
  local i = 1
  while true do
    local value, count = latency(i)
    if value == nil or value == 0 then break end  -- past the last one wrk answers 0
    io.write(string.format("%d %d\n", value, count))
    i = i + 1
  end
end
