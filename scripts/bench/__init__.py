"""`make bench`: every performance figure of the platform in one run (issue 13).

    .venv/bin/python -m scripts.bench [--quick] [--sizes 1000,10000,50000] [--fresh]
    .venv/bin/python -m scripts.bench --compare OLD.json NEW.json

- data.py: the databases at each size, built once under instance/bench/ and reused;
- rebuild.py: the full index rebuild in a child process (time, CPU, peak memory);
- search.py: search latency in-process, Whoosh against SQL LIKE, and each `/offres`
  request's SQL statements and CPU time;
- backends.py: the Whoosh and PostgreSQL search backends side by side (rebuild, each
  query's latency, same results), when BENCH_POSTGRESQL_URL names a PostgreSQL server;
- pages.py: pages' throughput under gunicorn (wrk, or a small client), as ratios to
  `/robots.txt`, and the dashboard on the national demo;
- lag.py: publish latency and index lag with the worker running;
- goals.py: the issue's goals checked against the figures;
- stats.py: percentiles, ratios, the table, the JSON report and its comparison.

Everything is measured on this machine as it is: the load average is printed before and
after, and ratios within one run are what count. The exit code is 0 even when a goal is
missed, since this is a measurement.
"""
